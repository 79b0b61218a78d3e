// The open run Quantile Rewards panels, one per run, and their restoration after a window reload.
import * as vscode from 'vscode';
import type { OpenLinkedPanel } from '../results/resultsPanel';
import { onePanelPerRun, ResultsPanelCollection } from '../results/resultsPanelCollection';
import { RunQuantileRewardsPanel } from './runQuantileRewardsPanel';
import { asRunQuantilesState } from './runQuantilesGuard';
import type { RunQuantilesPanelState } from './runQuantilesProtocol';

export const RUN_QUANTILE_REWARDS_VIEW_TYPE = 'qrpo.runQuantileRewards';

export class RunQuantileRewardsPanels extends ResultsPanelCollection<RunQuantileRewardsPanel, vscode.Uri, RunQuantilesPanelState> {
  constructor(extensionUri: vscode.Uri, openLinked: OpenLinkedPanel) {
    super(
      onePanelPerRun({
        viewType: RUN_QUANTILE_REWARDS_VIEW_TYPE,
        title: 'Quantile Rewards',
        parseState: asRunQuantilesState,
        create: (webviewPanel, run, restored) => new RunQuantileRewardsPanel(webviewPanel, run, extensionUri, openLinked, restored?.view),
      }),
    );
  }
}
