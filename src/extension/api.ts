// What `activate` returns: handles for the integration suite (and for other extensions, read-only in spirit).
import type * as vscode from 'vscode';
import type { RunJobs } from './launcher/runJobs';
import type { CurvesPanels } from './panels/trainingCurves/curvesPanels';
import type { QuantileRewardsPanel } from './panels/quantileRewards/quantileRewardsPanel';
import type { QuantileRewardsPanels } from './panels/quantileRewards/quantileRewardsPanels';
import type { ResultsPanels } from './panels/results/registerResultsPanels';
import type { RunsModel } from './runs/runsModel';
import type { RunsTreeProvider, RunTreeNode } from './runs/runsTreeProvider';
import type { RunStatusBar } from './statusBar/runStatusBar';

export interface QrpoExtensionApi {
  readonly runsTreeView: vscode.TreeView<RunTreeNode>;
  readonly runsTree: RunsTreeProvider;
  readonly runsModel: RunsModel;
  readonly runJobs: RunJobs;
  readonly runStatusBar: RunStatusBar;
  readonly quantileRewardsPanels: QuantileRewardsPanels;
  readonly resultsPanels: ResultsPanels;
  readonly trainingCurvesPanels: CurvesPanels;
  readonly compareRunsPanels: CurvesPanels;
  cspViolationCount(panel: QuantileRewardsPanel): number;
}
