// The open run Quantile Rewards panels, one per run, and their restoration after a window reload.
import * as vscode from 'vscode';
import type { LinkedPanel } from '../results/commonProtocol';
import { PanelRegistry } from '../results/panelRegistry';
import { RunQuantileRewardsPanel } from './runQuantileRewardsPanel';
import { asRunQuantilesState } from './runQuantilesGuard';

export const RUN_QUANTILE_REWARDS_VIEW_TYPE = 'qrpo.runQuantileRewards';

export class RunQuantileRewardsPanels implements vscode.Disposable, vscode.WebviewPanelSerializer {
  readonly registry = new PanelRegistry<RunQuantileRewardsPanel>();
  private readonly registration: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly openLinked: (panel: LinkedPanel, run: vscode.Uri) => unknown,
  ) {
    this.registration = vscode.window.registerWebviewPanelSerializer(RUN_QUANTILE_REWARDS_VIEW_TYPE, this);
  }

  open(run: vscode.Uri): RunQuantileRewardsPanel {
    const existing = this.registry.get(run.toString());
    if (existing) {
      existing.reveal();
      return existing;
    }
    const webviewPanel = vscode.window.createWebviewPanel(RUN_QUANTILE_REWARDS_VIEW_TYPE, 'Quantile Rewards', vscode.ViewColumn.Active, { enableScripts: true });
    return this.registry.add(run.toString(), new RunQuantileRewardsPanel(webviewPanel, run, this.extensionUri, this.openLinked));
  }

  panelFor(run: vscode.Uri): RunQuantileRewardsPanel | undefined {
    return this.registry.get(run.toString());
  }

  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const restored = asRunQuantilesState(state);
    if (!restored) {
      webviewPanel.dispose();
      return;
    }
    const run = vscode.Uri.parse(restored.run);
    this.registry.add(run.toString(), new RunQuantileRewardsPanel(webviewPanel, run, this.extensionUri, this.openLinked, restored.view));
  }

  dispose(): void {
    this.registry.dispose();
    this.registration.dispose();
  }
}
