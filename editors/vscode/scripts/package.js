// Packages the extension as a .vsix with the official tool, @vscode/vsce:
//   npm install && npm run package      → wuxin-policy-<version>.vsix
"use strict";

const { execFileSync } = require("child_process");
const path = require("path");

const root = path.resolve(__dirname, "..");
const vsce = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "vsce.cmd" : "vsce");
execFileSync(vsce, ["package", "--out", root], { cwd: root, stdio: "inherit" });
