// Activation: builds the runs model, the Runs view, the panels and the commands, and returns the API the
// integration suite drives. Everything here is wiring; each feature lives in its folder.
import * as vscode from 'vscode';
import type { QrpoExtensionApi } from './api';
import { registerCommands } from './commands/registerCommands';
import { ViewId } from './contributionIds';
import { qrpoLog } from './log';
import { QuantileRewardsPanels } from './panels/quantileRewards/quantileRewardsPanels';
import { RunsModel } from './runs/runsModel';
import { RunsTreeProvider } from './runs/runsTreeProvider';

export function activate(context: vscode.ExtensionContext): QrpoExtensionApi {
  const log = qrpoLog();
  const runsModel = new RunsModel();
  const runsTree = new RunsTreeProvider(runsModel);
  const runsTreeView = vscode.window.createTreeView(ViewId.runs, { treeDataProvider: runsTree, showCollapseAll: false });
  const quantileRewardsPanels = new QuantileRewardsPanels(context.extensionUri);

  context.subscriptions.push(
    log,
    runsModel,
    runsTree,
    runsTreeView,
    quantileRewardsPanels,
    registerCommands({ extensionPath: context.extensionPath, runsModel, panels: quantileRewardsPanels }),
  );
  log.info(`QRPO Lab activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'in Restricted Mode'}).`);

  return {
    runsTreeView,
    runsTree,
    runsModel,
    quantileRewardsPanels,
    cspViolationCount: (panel) => panel.cspViolationCount,
  };
}

export function deactivate(): void {}
