// Granting workspace trust the way a person does: the suite opens the Workspace Trust editor and logs
// `[qrpo-trust-workspace]`; the launcher clicks its "Trust" button. Until then the window is in Restricted Mode,
// which restrictedMode.test.ts checks first.
import * as vscode from 'vscode';
import { waitFor } from './extension';

export async function grantWorkspaceTrust(): Promise<void> {
  if (vscode.workspace.isTrusted) return;
  await vscode.commands.executeCommand('workbench.trust.manage');
  console.log('[qrpo-trust-workspace]');
  await waitFor('the launcher to trust the workspace', () => vscode.workspace.isTrusted, 30_000);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
}
