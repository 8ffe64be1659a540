// The client side of `wuxin lsp`: VS Code starts the server and talks to it over stdio.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const settings = vscode.workspace.getConfiguration("wuxin");
  const [command, ...args] = settings.get("server.command", ["wuxin", "lsp"]);
  const server = { command, args, transport: TransportKind.stdio };
  client = new LanguageClient(
    "wuxin",
    "wuxin policies",
    { run: server, debug: server },
    {
      documentSelector: [
        { scheme: "file", language: "wuxin-policy" },
        { scheme: "untitled", language: "wuxin-policy" },
      ],
      // The fixed words of diagnostics in English or Chinese (`wuxin.lang`).
      initializationOptions: { lang: settings.get("lang", "en") },
    },
  );
  context.subscriptions.push(client);
  return client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `Could not start \`${[command, ...args].join(" ")}\`: ${error.message}. ` +
        "Install the server with `pip install 'wuxin_rules[lsp]'`, or set `wuxin.server.command`.",
    );
  });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
