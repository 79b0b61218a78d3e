// The "QRPO" output channel: everything that is not a message a user can act on goes here, including the engine
// CLI's raw output, so "Show Log" on an error message always leads to the full story.
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function qrpoLog(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('QRPO', { log: true });
  return channel;
}

/** Shows an error with a "Show Log" action that reveals the channel. */
export async function showErrorWithLog(message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, 'Show Log');
  if (choice === 'Show Log') qrpoLog().show(true);
}
