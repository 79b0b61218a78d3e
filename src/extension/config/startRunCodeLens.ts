// "▶ Start Run" above the first line of every run config, in a trusted workspace only (in Restricted Mode the
// command would refuse, so the lens is not offered).
import * as vscode from 'vscode';
import { CommandId } from '../contributionIds';

export class StartRunCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription = vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire());

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted) return [];
    return [
      new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
        title: '$(play) Start Run',
        tooltip: `qrpo run ${vscode.workspace.asRelativePath(document.uri)}`,
        command: CommandId.startRun,
        arguments: [document.uri],
      }),
    ];
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
