// The open Length Bias panels, one per set of runs (opening the same set again reveals it), and their restoration
// after a window reload.
import * as vscode from 'vscode';
import type { LinkedPanel } from '../results/commonProtocol';
import { PanelRegistry } from '../results/panelRegistry';
import { LengthBiasPanel } from './lengthBiasPanel';
import { asLengthBiasState } from './messageGuard';

export const LENGTH_BIAS_VIEW_TYPE = 'qrpo.lengthBias';

export class LengthBiasPanels implements vscode.Disposable, vscode.WebviewPanelSerializer {
  readonly registry = new PanelRegistry<LengthBiasPanel>();
  private readonly registration: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly openLinked: (panel: LinkedPanel, run: vscode.Uri) => unknown,
  ) {
    this.registration = vscode.window.registerWebviewPanelSerializer(LENGTH_BIAS_VIEW_TYPE, this);
  }

  open(runs: readonly vscode.Uri[]): LengthBiasPanel {
    const key = keyOf(runs);
    const existing = this.registry.get(key);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const webviewPanel = vscode.window.createWebviewPanel(LENGTH_BIAS_VIEW_TYPE, 'Length Bias', vscode.ViewColumn.Active, { enableScripts: true });
    return this.registry.add(key, new LengthBiasPanel(webviewPanel, runs, this.extensionUri, this.openLinked));
  }

  panelFor(runs: readonly vscode.Uri[]): LengthBiasPanel | undefined {
    return this.registry.get(keyOf(runs));
  }

  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const restored = asLengthBiasState(state);
    if (!restored) {
      webviewPanel.dispose();
      return;
    }
    const runs = restored.runs.map((r) => vscode.Uri.parse(r));
    this.registry.add(keyOf(runs), new LengthBiasPanel(webviewPanel, runs, this.extensionUri, this.openLinked, restored.view));
  }

  dispose(): void {
    this.registry.dispose();
    this.registration.dispose();
  }
}

function keyOf(runs: readonly vscode.Uri[]): string {
  return runs.map((r) => r.toString()).sort().join('\n');
}
