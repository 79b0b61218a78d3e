// What `activate` returns: handles for the integration suite (and for other extensions, read-only in spirit).
import type * as vscode from 'vscode';
import type { QuantileRewardsPanel } from './panels/quantileRewards/quantileRewardsPanel';
import type { QuantileRewardsPanels } from './panels/quantileRewards/quantileRewardsPanels';
import type { RunsTreeProvider, RunTreeNode } from './runs/runsTreeProvider';
import type { RunsModel } from './runs/runsModel';

export interface QrpoExtensionApi {
  readonly runsTreeView: vscode.TreeView<RunTreeNode>;
  readonly runsTree: RunsTreeProvider;
  readonly runsModel: RunsModel;
  readonly quantileRewardsPanels: QuantileRewardsPanels;
  cspViolationCount(panel: QuantileRewardsPanel): number;
}
