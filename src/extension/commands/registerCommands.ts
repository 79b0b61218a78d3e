// Binds the command ids of the explorer and launcher (contributionIds.ts) to their handlers; package.json declares
// the same ids. Panel commands (open results, quantile rewards, curves, compare…) are registered by each panel
// family's register function (src/extension/panels/*/register*.ts).
import * as vscode from 'vscode';
import { CommandId } from '../contributionIds';
import { qrpoLog } from '../log';
import type { QuantileRewardsPanels } from '../panels/quantileRewards/quantileRewardsPanels';
import { compareWith } from './compareWithCommand';
import { deleteRun } from './deleteRunCommand';
import { evaluateCheckpoint } from './evaluateCheckpointCommand';
import { exportCheckpoint } from './exportCheckpointCommand';
import { newRun } from './newRunCommand';
import { openDemo } from './openDemoCommand';
import { prepareQuantileRewards } from './prepareQuantileRewardsCommand';
import { resumeRun } from './resumeRunCommand';
import type { RunCommandContext } from './runCommandContext';
import { copyRunPath, revealRunInExplorer, revealRunInOS } from './runFolderCommands';
import { startRun } from './startRunCommand';
import { stopRun } from './stopRunCommand';

export interface CommandContext extends RunCommandContext {
  readonly panels: QuantileRewardsPanels;
}

type Handler = (...args: unknown[]) => unknown;

export function registerCommands(context: CommandContext): vscode.Disposable {
  const handlers: Partial<Record<CommandId, Handler>> = {
    [CommandId.newRun]: (answers) => newRun(context.extensionPath, context.runsModel, answers),
    [CommandId.startRun]: (config) => startRun(context, config),
    [CommandId.stopRun]: (run) => stopRun(context, run),
    [CommandId.resumeRun]: (run) => resumeRun(context, run),
    [CommandId.evaluateCheckpoint]: (target, options) => evaluateCheckpoint(context, target, options),
    [CommandId.exportCheckpoint]: (target, options) => exportCheckpoint(context, target, options),
    [CommandId.deleteRun]: (run, options) => deleteRun(context, run, options),
    [CommandId.revealRun]: (target) => revealRunInOS(context, target),
    [CommandId.revealRunInExplorer]: (target) => revealRunInExplorer(context, target),
    [CommandId.copyRunPath]: (target) => copyRunPath(context, target),
    [CommandId.compareWith]: (run, selected) => compareWith(context, run, selected),
    [CommandId.openDemo]: () => openDemo(context),
    [CommandId.refreshRuns]: () => context.runsModel.refresh(),
    [CommandId.showLog]: () => qrpoLog().show(true),
    [CommandId.prepareQuantileRewards]: (dataset, options) =>
      prepareQuantileRewards(context.extensionPath, context.panels, dataset, isRecord(options) ? options : undefined),
  };
  return vscode.Disposable.from(...Object.entries(handlers).map(([id, handler]) => vscode.commands.registerCommand(id, handler)));
}

function isRecord(value: unknown): value is Record<string, never> {
  return typeof value === 'object' && value !== null && !(value instanceof vscode.Uri);
}
