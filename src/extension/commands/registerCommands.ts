// Binds every command id in contributionIds.ts to its handler; package.json declares the same ids.
import * as vscode from 'vscode';
import { CommandId } from '../contributionIds';
import { qrpoLog } from '../log';
import type { QuantileRewardsPanels } from '../panels/quantileRewards/quantileRewardsPanels';
import type { RunsModel } from '../runs/runsModel';
import { openQuantileRewards } from './openQuantileRewardsCommand';
import { prepareQuantileRewards } from './prepareQuantileRewardsCommand';

export interface CommandContext {
  readonly extensionPath: string;
  readonly runsModel: RunsModel;
  readonly panels: QuantileRewardsPanels;
}

export function registerCommands(context: CommandContext): vscode.Disposable {
  const handlers: Record<CommandId, (...args: unknown[]) => unknown> = {
    [CommandId.prepareQuantileRewards]: (dataset, options) =>
      prepareQuantileRewards(context.extensionPath, context.panels, dataset, isRecord(options) ? options : undefined),
    [CommandId.openQuantileRewards]: (file) => openQuantileRewards(context.panels, file),
    [CommandId.refreshRuns]: () => context.runsModel.refresh(),
    [CommandId.showLog]: () => qrpoLog().show(true),
  };
  return vscode.Disposable.from(
    ...Object.entries(handlers).map(([id, handler]) => vscode.commands.registerCommand(id, handler)),
  );
}

function isRecord(value: unknown): value is Record<string, never> {
  return typeof value === 'object' && value !== null && !(value instanceof vscode.Uri);
}
