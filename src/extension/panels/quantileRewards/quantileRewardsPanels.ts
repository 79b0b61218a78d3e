// The open Quantile Rewards panels, one per prepared file, and their restoration after a window reload (the
// serializer gets the state the webview saved with setState).
import * as vscode from 'vscode';
import { PanelViewType } from '../../contributionIds';
import type { PreparationInfo } from './protocol';
import { QuantileRewardsPanel } from './quantileRewardsPanel';
import { asPanelState } from './webviewMessageGuard';

export class QuantileRewardsPanels implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private readonly panels = new Map<string, QuantileRewardsPanel>();
  private readonly opened = new vscode.EventEmitter<QuantileRewardsPanel>();
  readonly onDidOpen = this.opened.event;
  private readonly registration: vscode.Disposable;

  constructor(private readonly extensionUri: vscode.Uri) {
    this.registration = vscode.window.registerWebviewPanelSerializer(PanelViewType.quantileRewards, this);
  }

  /** Opens (or reveals and reloads) the panel of a prepared file. */
  open(file: vscode.Uri, preparation?: PreparationInfo): QuantileRewardsPanel {
    const existing = this.panels.get(file.toString());
    if (existing) {
      existing.webviewPanel.reveal();
      existing.reload(preparation);
      return existing;
    }
    const webviewPanel = vscode.window.createWebviewPanel(
      PanelViewType.quantileRewards,
      'Quantile Rewards',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      { enableScripts: true },
    );
    return this.track(new QuantileRewardsPanel(webviewPanel, file, preparation, this.extensionUri));
  }

  panelFor(file: vscode.Uri): QuantileRewardsPanel | undefined {
    return this.panels.get(file.toString());
  }

  all(): QuantileRewardsPanel[] {
    return [...this.panels.values()];
  }

  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const restored = asPanelState(state);
    if (!restored) {
      webviewPanel.dispose();
      return;
    }
    this.track(new QuantileRewardsPanel(webviewPanel, vscode.Uri.parse(restored.file), restored.preparation, this.extensionUri));
  }

  dispose(): void {
    for (const panel of this.panels.values()) panel.dispose();
    this.registration.dispose();
    this.opened.dispose();
  }

  private track(panel: QuantileRewardsPanel): QuantileRewardsPanel {
    const key = panel.file.toString();
    this.panels.set(key, panel);
    panel.onDidDispose(() => {
      if (this.panels.get(key) === panel) this.panels.delete(key);
    });
    this.opened.fire(panel);
    return panel;
  }
}
