// Workspace trust: in Restricted Mode nothing executes (no engine process, no workspace reward code), while browsing
// runs and results stays available. Commands that execute call this first; package.json also hides them.
import * as vscode from 'vscode';

/** true when the workspace is trusted; otherwise tells the user why `action` is disabled and returns false. */
export function requireWorkspaceTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  // Not awaited: the command resolves now, the message waits for the user.
  void vscode.window
    .showWarningMessage(`${action} runs the QRPO engine, which is disabled in Restricted Mode. Trust this workspace to enable it.`, 'Manage Workspace Trust')
    .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
  return false;
}
