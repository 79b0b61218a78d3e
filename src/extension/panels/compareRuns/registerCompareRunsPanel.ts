// "QRPO: Compare Runs": the curves of several runs overlaid, with a table of their config differences, final and
// best metrics and latest evaluation numbers. Without run arguments it asks which of the workspace's runs.
import * as vscode from 'vscode';
import { CommandId, PanelViewType } from '../../contributionIds';
import type { CurvesPanel, CurvesRun } from '../trainingCurves/curvesPanel';
import { CurvesPanels } from '../trainingCurves/curvesPanels';
import type { CurvesViewState } from '../trainingCurves/protocol';
import { sharedStore, type CurvesPanelDeps } from '../trainingCurves/registerTrainingCurvesPanels';
import { asPartialViewState } from '../trainingCurves/webviewMessageGuard';
import { optionsFromArgs, pickRuns, runFoldersFromArgs } from '../shared/runArguments';
import { ComparedRunFiles } from './comparedRunFiles';
import { buildComparisonTable } from './comparisonTable';
import type { ComparisonMessage } from './protocol';

export function registerCompareRunsPanel(context: vscode.ExtensionContext, deps: CurvesPanelDeps): CurvesPanels {
  // Shared by every comparison: the same run in two panels is read once.
  const files = new ComparedRunFiles();
  const panels = new CurvesPanels(
    {
      viewType: PanelViewType.compareRuns,
      app: 'compareRuns',
      title: (runs) => (runs.length <= 3 ? `Compare: ${runs.map((r) => r.name).join(' vs ')}` : `Compare ${runs.length} runs`),
      companionMessages: async (runs: readonly CurvesRun[]): Promise<ComparisonMessage[]> => [
        { type: 'comparison', table: await buildComparisonTable(runs.map((run) => ({ identity: run.identity, folder: run.folder, table: run.metrics.table })), files) },
      ],
    },
    sharedStore(context, deps),
    context.extensionUri,
  );
  context.subscriptions.push(
    panels,
    vscode.commands.registerCommand(CommandId.compareRuns, async (...args: unknown[]): Promise<CurvesPanel | undefined> => {
      const folders = runFoldersFromArgs(args);
      const chosen = folders.length ? folders : await pickRuns(deps.runsModel, 'Compare which runs? (pick two or more)', true);
      if (chosen.length === 0) return undefined;
      return panels.open(chosen, asPartialViewState(optionsFromArgs<CurvesViewState>(args)));
    }),
  );
  return panels;
}
