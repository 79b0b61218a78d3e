// Activation: builds the runs model, the Runs view, the engine jobs and status bar, the run config editor support,
// the commands and the panels (each panel folder registers its own commands), and returns the API the integration suite drives. Everything here is wiring; each
// feature lives in its folder.
import * as vscode from 'vscode';
import type { QrpoExtensionApi } from './api';
import { registerCommands } from './commands/registerCommands';
import { registerRunConfigEditor } from './config/registerRunConfigEditor';
import { ViewId } from './contributionIds';
import { RunJobs } from './launcher/runJobs';
import { qrpoLog } from './log';
import { registerCompareRunsPanel } from './panels/compareRuns/registerCompareRunsPanel';
import { QuantileRewardsPanels } from './panels/quantileRewards/quantileRewardsPanels';
import { registerResultsPanels } from './panels/results/registerResultsPanels';
import { registerTrainingCurvesPanels } from './panels/trainingCurves/registerTrainingCurvesPanels';
import { RunsModel } from './runs/runsModel';
import { RunsTreeProvider } from './runs/runsTreeProvider';
import { RunStatusBar } from './statusBar/runStatusBar';

export function activate(context: vscode.ExtensionContext): QrpoExtensionApi {
  const log = qrpoLog();
  const runsModel = new RunsModel();
  const runsTree = new RunsTreeProvider(runsModel);
  const runsTreeView = vscode.window.createTreeView(ViewId.runs, { treeDataProvider: runsTree, showCollapseAll: true, canSelectMany: true });
  const runJobs = new RunJobs(context.extensionPath);
  const runStatusBar = new RunStatusBar(runJobs, runsModel);
  const quantileRewardsPanels = new QuantileRewardsPanels(context.extensionUri);

  const revealRun = async (folder: vscode.Uri) => {
    await runsModel.refresh();
    const node = runsTree.nodeFor(folder);
    if (node) await runsTreeView.reveal(node, { select: true, focus: true, expand: true });
  };

  context.subscriptions.push(
    log,
    runsModel,
    runsTree,
    runsTreeView,
    runJobs,
    runStatusBar,
    quantileRewardsPanels,
    registerRunConfigEditor(context.extensionPath),
    registerCommands({ extensionPath: context.extensionPath, runsModel, jobs: runJobs, revealRun, panels: quantileRewardsPanels }),
  );
  // Each panel family registers its own commands, serializers and editors (and pushes them onto the context).
  const resultsPanels = registerResultsPanels(context, { runsModel, quantileRewardsPanels });
  const trainingCurvesPanels = registerTrainingCurvesPanels(context, { runsModel });
  const compareRunsPanels = registerCompareRunsPanel(context, { runsModel });
  log.info(`QRPO Lab activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'in Restricted Mode'}).`);

  return {
    runsTreeView,
    runsTree,
    runsModel,
    runJobs,
    runStatusBar,
    quantileRewardsPanels,
    resultsPanels,
    trainingCurvesPanels,
    compareRunsPanels,
    cspViolationCount: (panel) => panel.cspViolationCount,
  };
}

export function deactivate(): void {}
