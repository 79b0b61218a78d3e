// "QRPO: Open Training Curves": the curves of one run, or several overlaid, from their metrics.jsonl. Registers
// the command, the panel serializer, and returns the open panels for the API. Reads files only, so it works in
// Restricted Mode too.
import * as vscode from 'vscode';
import { CommandId, PanelViewType } from '../../contributionIds';
import type { RunsModel } from '../../runs/runsModel';
import { RunMetricsStore } from '../shared/liveRunMetrics';
import { optionsFromArgs, pickRuns, runFoldersFromArgs } from '../shared/runArguments';
import type { CurvesPanel } from './curvesPanel';
import { CurvesPanels } from './curvesPanels';
import type { CurvesViewState } from './protocol';
import { asPartialViewState } from './webviewMessageGuard';


export interface CurvesPanelDeps {
  readonly runsModel: RunsModel;
  /** Shared by both curves panels so a run shown twice is tailed once; created on first use when left out. */
  readonly metricsStore?: RunMetricsStore;
}

export function registerTrainingCurvesPanels(context: vscode.ExtensionContext, deps: CurvesPanelDeps): CurvesPanels {
  const store = sharedStore(context, deps);
  const panels = new CurvesPanels(
    {
      viewType: PanelViewType.trainingCurves,
      app: 'trainingCurves',
      title: (runs) => (runs.length === 1 ? `Training Curves: ${runs[0].name}` : `Training Curves: ${runs.length} runs`),
    },
    store,
    context.extensionUri,
  );
  context.subscriptions.push(
    panels,
    vscode.commands.registerCommand(CommandId.openTrainingCurves, async (...args: unknown[]): Promise<CurvesPanel | undefined> => {
      const folders = runFoldersFromArgs(args);
      const chosen = folders.length ? folders : await pickRuns(deps.runsModel, 'Training curves of which runs?', true);
      if (chosen.length === 0) return undefined;
      return panels.open(chosen, asPartialViewState(optionsFromArgs<CurvesViewState>(args)));
    }),
  );
  return panels;
}

const stores = new WeakMap<vscode.ExtensionContext, RunMetricsStore>();

/** One store per activation, whichever register function runs first. */
export function sharedStore(context: vscode.ExtensionContext, deps: CurvesPanelDeps): RunMetricsStore {
  if (deps.metricsStore) return deps.metricsStore;
  let store = stores.get(context);
  if (!store) {
    store = new RunMetricsStore();
    stores.set(context, store);
    context.subscriptions.push(store);
  }
  return store;
}
