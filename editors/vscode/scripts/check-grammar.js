// Tokenizes every .policy file under policies/ and examples/ with the TextMate grammar (as
// VS Code does, through vscode-textmate) and fails on any `invalid` scope: `npm test`.
"use strict";

const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const root = path.resolve(__dirname, "..");
const repository = path.resolve(root, "..", "..");

function policyFiles(folder) {
  const found = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) found.push(...policyFiles(full));
    else if (entry.name.endsWith(".policy")) found.push(full);
  }
  return found;
}

async function main() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async () =>
      vsctm.parseRawGrammar(
        fs.readFileSync(path.join(root, "syntaxes", "policy.tmLanguage.json"), "utf8"),
        "policy.tmLanguage.json",
      ),
  });
  const grammar = await registry.loadGrammar("source.wuxin-policy");
  const files = ["policies", "examples"].flatMap((f) => policyFiles(path.join(repository, f)));
  let problems = 0;
  let keywords = 0;
  for (const file of files) {
    let state = vsctm.INITIAL;
    fs.readFileSync(file, "utf8").split("\n").forEach((line, index) => {
      const result = grammar.tokenizeLine(line, state);
      for (const token of result.tokens) {
        const text = line.slice(token.startIndex, token.endIndex);
        if (token.scopes.some((s) => s.startsWith("invalid"))) {
          problems += 1;
          console.error(`${file}:${index + 1}:${token.startIndex + 1}: ${JSON.stringify(text)} ${token.scopes.join(" ")}`);
        }
        if (token.scopes.some((s) => s.startsWith("storage.type"))) keywords += 1;
      }
      state = result.ruleStack;
    });
  }
  if (files.length < 10 || keywords < 100) throw new Error(`too little checked: ${files.length} files`);
  console.log(`${files.length} policies, no invalid token`);
  if (problems) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
