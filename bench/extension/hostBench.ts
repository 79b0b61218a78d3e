// The extension bench's part inside the real extension host (loaded as `extensionTestsPath` by
// launchHostBench.ts): (a) the Runs view, (b) the comparison and curves panels, (c) the event loop while a run
// writes metrics. Prints a report line by line through the launcher and writes the numbers as JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { QrpoExtensionApi } from '../../src/extension/api';
import { benchLinePrefix, configFileName, resultsFileName, type HostBenchConfig } from './benchConfig';
import { measureCompare, measureFirstWebview, measureTrainingCurves } from './compareTimings';
import { measureBlocking } from './eventLoopBlocking';
import { TreeInstrument } from './treeInstrument';
import { measureTree } from './treeTimings';

const extensionId = 'qrpo-lab.qrpo-lab';

function report(line: string): void {
  for (const part of line.split('\n')) console.log(`${benchLinePrefix}${part}`);
}

export async function run(): Promise<void> {
  const workspace = vscode.workspace.workspaceFolders?.[0];
  if (!workspace) throw new Error('the bench needs its workspace open');
  const config = JSON.parse(readFileSync(join(workspace.uri.fsPath, '..', configFileName), 'utf8')) as HostBenchConfig;
  const extension = vscode.extensions.getExtension<QrpoExtensionApi>(extensionId);
  if (!extension) throw new Error(`${extensionId} is not loaded`);
  const activeAtStart = extension.isActive;
  const api = await extension.activate();
  const tree = new TreeInstrument(api.runsTree);
  const runs = await api.runsModel.runs();
  const finished = runs.filter((run) => run.state === 'done').map((run) => run.name);
  const live = runs.find((run) => run.state === 'running');
  if (runs.length !== config.runs || !live) throw new Error(`expected ${config.runs} runs with one running, found ${runs.length}`);
  const folderOf = (name: string) => runs.find((run) => run.name === name)!.folder;
  report(`extension under test: ${config.label}; active at bench start: ${activeAtStart}; ${runs.length} runs discovered`);

  const treeTimings = await measureTree(api, tree, config, finished);
  report(`(a) tree: ${JSON.stringify(treeTimings)}`);
  const firstWebviewMs = await measureFirstWebview(folderOf, finished);
  report(`(b) first webview of the window (Training Curves, 1 run, cold): ${firstWebviewMs} ms`);
  // A failure here (the panel never renders) is a result, not the end of the bench.
  const compare = await measureCompare(config, folderOf, finished).catch((error: unknown) => ({ error: String(error) }));
  report(`(b) compare ${config.compare} runs: ${JSON.stringify(compare)}`);
  const curves = await measureTrainingCurves(config, folderOf, finished);
  report(`(b) training curves, 1 run: ${JSON.stringify(curves)}`);
  const blocking = await measureBlocking(api, tree, config, live.folder, finished.slice(100).map(folderOf));
  for (const phase of blocking.phases) report(`(c) ${JSON.stringify(phase)}`);
  report(`(c) live run: ${blocking.liveRowsDrawn} rows drawn of ${blocking.liveLinesInFile} lines in its file`);

  const { runs: count, steps, compare: compared, follow, rate, phaseSeconds, label } = config;
  const results = { config: { runs: count, steps, compare: compared, follow, rate, phaseSeconds, label }, tree: treeTimings, firstWebviewMs, compare, curves, blocking };
  writeFileSync(join(config.outputFolder, resultsFileName), JSON.stringify(results, null, 2));
}
