// The open Evaluation panels, one per run, and their restoration after a window reload from the state the webview
// saved (the run folder and what the panel showed).
import * as vscode from 'vscode';
import { PanelRegistry } from '../results/panelRegistry';
import { EvaluationPanel, type OpenLinkedPanel } from './evaluationPanel';
import { asEvaluationState } from './messageGuard';

export const EVALUATION_VIEW_TYPE = 'qrpo.evaluation';

export class EvaluationPanels implements vscode.Disposable, vscode.WebviewPanelSerializer {
  readonly registry = new PanelRegistry<EvaluationPanel>();
  private readonly registration: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly openLinked: OpenLinkedPanel,
  ) {
    this.registration = vscode.window.registerWebviewPanelSerializer(EVALUATION_VIEW_TYPE, this);
  }

  open(run: vscode.Uri): EvaluationPanel {
    const existing = this.registry.get(run.toString());
    if (existing) {
      existing.reveal();
      return existing;
    }
    const webviewPanel = vscode.window.createWebviewPanel(EVALUATION_VIEW_TYPE, 'Evaluation', vscode.ViewColumn.Active, { enableScripts: true });
    return this.registry.add(run.toString(), new EvaluationPanel(webviewPanel, run, this.extensionUri, this.openLinked));
  }

  panelFor(run: vscode.Uri): EvaluationPanel | undefined {
    return this.registry.get(run.toString());
  }

  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const restored = asEvaluationState(state);
    if (!restored) {
      webviewPanel.dispose();
      return;
    }
    const run = vscode.Uri.parse(restored.run);
    this.registry.add(run.toString(), new EvaluationPanel(webviewPanel, run, this.extensionUri, this.openLinked, restored.view));
  }

  dispose(): void {
    this.registry.dispose();
    this.registration.dispose();
  }
}
