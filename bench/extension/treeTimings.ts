// (a) The Runs view with many runs: the first time the view is shown (command → rows in the page), a cold
// discovery by a fresh RunsModel (our code alone: findFiles, then status.json, the metrics tail and run.lock of
// every run, then a tree item per run), Refresh Runs, and expanding runs never expanded before (their checkpoints and
// evaluations are read then).
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { QrpoExtensionApi } from '../../src/extension/api';
import { RunsModel } from '../../src/extension/runs/runsModel';
import { RunsTreeProvider } from '../../src/extension/runs/runsTreeProvider';
import type { HostBenchConfig } from './benchConfig';
import { armRowProbe } from './pageProbe';
import { summarize, type Summary } from './stats';
import type { TreeInstrument } from './treeInstrument';

export interface TreeTimings {
  /** Runs the model knew when the view was first shown (all of them: discovery had finished). */
  readonly knownAtFirstShow: number;
  /** Show the Runs view for the first time → the first run's row is in the page. */
  readonly firstShowToRowsMs: number;
  /** …of which our root getChildren call took (from its start). */
  readonly firstShowGetChildrenMs: number;
  /** A fresh RunsModel + provider: construction → getChildren with every run, then a tree item for each. */
  readonly coldGetChildrenMs: Summary;
  readonly coldWithTreeItemsMs: Summary;
  /** Refresh Runs (rediscovery) → the view's next root getChildren has answered. */
  readonly refreshMs: Summary;
  /** Expand a run (reveal with expand) → its "Checkpoints" child row is in the page; and our getChildren call alone. */
  readonly expandToRowsMs: Summary;
  readonly expandGetChildrenMs: Summary;
}

export async function measureTree(api: QrpoExtensionApi, tree: TreeInstrument, config: HostBenchConfig, finished: readonly string[]): Promise<TreeTimings> {
  const knownAtFirstShow = api.runsModel.knownRuns().length;
  const firstRow = finished[0];
  const probe = await armRowProbe(config.probeFolder, firstRow);
  const shownAt = Date.now();
  const shownPerf = performance.now();
  await vscode.commands.executeCommand('workbench.view.extension.qrpo');
  const rowsAt = await probe.collect();
  const rootCall = tree.finishedAfter(shownPerf, 'root');

  const cold: number[] = [];
  const coldItems: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const model = new RunsModel();
    const provider = new RunsTreeProvider(model);
    const nodes = await provider.getChildren();
    const listed = performance.now();
    await Promise.all(nodes.map((node) => provider.getTreeItem(node)));
    const itemized = performance.now();
    if (nodes.length !== config.runs) throw new Error(`a fresh RunsModel listed ${nodes.length} runs, expected ${config.runs}`);
    cold.push(listed - start);
    coldItems.push(itemized - start);
    provider.dispose();
    model.dispose();
  }

  const refresh: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await vscode.commands.executeCommand('qrpo.refreshRuns');
    const call = await poll(() => tree.finishedAfter(start, 'root'), 'Refresh Runs: the view\'s root getChildren', tree);
    if (call.items !== config.runs) throw new Error(`after Refresh Runs the view got ${call.items} runs`);
    refresh.push(call.end - start);
  }

  const expandRows: number[] = [];
  const expandCalls: number[] = [];
  // Runs in the first screenful, so that the expanded run's rows are rendered (the list is virtualised); none of
  // them was expanded before. The view is scrolled back to the top first.
  const top = api.runsTree.nodeFor(api.runsModel.knownRuns()[0].folder)!;
  for (const name of [2, 6, 10, 14, 18].map((i) => finished[Math.min(i, finished.length - 1)])) {
    await vscode.commands.executeCommand('workbench.actions.treeView.qrpo.runs.collapseAll');
    await api.runsTreeView.reveal(top, { select: false, focus: false });
    const folder = api.runsModel.knownRuns().find((run) => run.name === name)!.folder;
    const node = api.runsTree.nodeFor(folder)!;
    const rowProbe = await armRowProbe(config.probeFolder, 'Checkpoints');
    const start = Date.now();
    const startPerf = performance.now();
    await api.runsTreeView.reveal(node, { expand: true, select: false, focus: false });
    const at = await rowProbe.collect();
    const call = await poll(() => tree.finishedAfter(startPerf, `run:${name}`), `expanding ${name}: its getChildren`, tree);
    expandRows.push(at - start);
    expandCalls.push(call.end - call.start);
  }

  return {
    knownAtFirstShow,
    firstShowToRowsMs: rowsAt - shownAt,
    firstShowGetChildrenMs: rootCall ? rootCall.end - rootCall.start : NaN,
    coldGetChildrenMs: summarize(cold),
    coldWithTreeItemsMs: summarize(coldItems),
    refreshMs: summarize(refresh),
    expandToRowsMs: summarize(expandRows),
    expandGetChildrenMs: summarize(expandCalls),
  };
}

async function poll<T>(read: () => T | undefined, what: string, tree: TreeInstrument, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last provider calls: ${JSON.stringify(tree.calls.slice(-5))}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
