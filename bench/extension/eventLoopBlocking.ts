// (c) The extension host's event loop while a run writes metrics. With the Runs view showing the live run expanded
// and a Compare Runs panel of that run and others open (both follow it), a separate process appends metrics lines
// at a steady rate and rewrites status.json as the engine does. Phases of equal length: no writes (baseline),
// writes, writes under the CPU profiler (which says whose code ran, cpuProfile.ts), no writes again. Each phase
// records monitorEventLoopDelay (10 ms resolution), a 10 ms interval probe's stalls and the longest the main thread
// was held at once (heldLoopProbe.ts); what differs between the quiet and the writing phases is what the writes
// cost, and the profile says how much of it was our code.
import { spawn, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { QrpoExtensionApi } from '../../src/extension/api';
import type { CurvesPanel } from '../../src/extension/panels/trainingCurves/curvesPanel';
import type { HostBenchConfig } from './benchConfig';
import { CpuProfiler, type CpuAttribution } from './cpuProfile';
import { HeldLoopProbe } from './heldLoopProbe';
import { delayBeyond, round } from './stats';
import type { TreeInstrument } from './treeInstrument';

const resolutionMs = 10;

export interface PhaseResult {
  readonly phase: string;
  readonly seconds: number;
  /** Event-loop delay beyond the 10 ms timer (stats.ts delayBeyond): the longest the loop was held, p99, mean. */
  readonly maxDelayMs: number;
  readonly p99DelayMs: number;
  readonly meanDelayMs: number;
  /** Interval-probe stalls over 50 ms, and the largest. */
  readonly stallsOver50: number;
  readonly worstStallMs: number;
  /** The most main-thread CPU time between two ticks of a 5 ms timer: held by code, not by the OS's scheduling. */
  readonly longestHeldMs: number;
  /** Extension host CPU (all threads of the process) per second of wall time. */
  readonly cpuMsPerSecond: number;
  /** What followed the writes during the phase. */
  readonly linesWritten?: number;
  readonly treeItemCalls: number;
  readonly panelAppends: number;
  readonly profile?: CpuAttribution;
}

export interface BlockingResult {
  readonly setup: string;
  readonly phases: readonly PhaseResult[];
  /** Rows of the live run the panel had drawn at the end, and the lines in its file. */
  readonly liveRowsDrawn: number;
  readonly liveLinesInFile: number;
}

export async function measureBlocking(
  api: QrpoExtensionApi,
  tree: TreeInstrument,
  config: HostBenchConfig,
  live: vscode.Uri,
  others: readonly vscode.Uri[],
): Promise<BlockingResult> {
  await vscode.commands.executeCommand('workbench.actions.treeView.qrpo.runs.collapseAll');
  await api.runsTreeView.reveal(api.runsTree.nodeFor(live)!, { expand: true, select: false, focus: false });
  const runs = [live, ...others.slice(0, config.follow - 1)];
  const panel = (await vscode.commands.executeCommand<CurvesPanel>('qrpo.compareRuns', runs))!;
  await until(() => panel.lastRendered?.runs === runs.length, 'the comparison panel to render');
  await delay(2_000);

  const seconds = config.phaseSeconds;
  const phases: PhaseResult[] = [];
  phases.push(await phase('quiet (baseline)', seconds, tree, panel));
  const writer = startWriter(config, live, seconds * 2 + 5);
  phases.push(await phase(`writing ${config.rate} lines/s`, seconds, tree, panel, writer));
  phases.push(await phase(`writing ${config.rate} lines/s, profiled`, seconds, tree, panel, writer, true));
  writer.child.kill();
  await delay(1_000);
  phases.push(await phase('quiet again', seconds, tree, panel));

  // The panel follows the file: wait for the last lines to be drawn (debounce + a frame).
  const linesInFile = (await vscode.workspace.fs.readFile(vscode.Uri.joinPath(live, 'metrics.jsonl'))).toString().trim().split('\n').length;
  await until(() => panel.lastRendered?.rows[live.toString()] === linesInFile, 'the panel to draw every written line', 10_000).catch(() => undefined);
  const drawn = panel.lastRendered?.rows[live.toString()] ?? 0;
  panel.dispose();
  return {
    setup: `Runs view visible with the live run expanded; Compare Runs panel of ${runs.length} runs (the live one included) visible`,
    phases,
    liveRowsDrawn: drawn,
    liveLinesInFile: linesInFile,
  };
}

interface Writer {
  readonly child: ChildProcess;
  lines(): number;
}

function startWriter(config: HostBenchConfig, live: vscode.Uri, seconds: number): Writer {
  const started = Date.now();
  const child = spawn(process.execPath, [config.writer, live.fsPath, String(config.rate), String(seconds), String(config.ownerPid), String(config.steps)], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: 'ignore',
  });
  return { child, lines: () => Math.floor(((Date.now() - started) / 1000) * config.rate) };
}

async function phase(name: string, seconds: number, tree: TreeInstrument, panel: CurvesPanel, writer?: Writer, profiled = false): Promise<PhaseResult> {
  const profiler = profiled ? new CpuProfiler() : undefined;
  await profiler?.start();
  const loop = monitorEventLoopDelay({ resolution: resolutionMs });
  const stalls: number[] = [];
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    const late = now - last - 10;
    if (late > 50) stalls.push(late);
    last = now;
  }, 10);
  const since = performance.now();
  const appendsBefore = panel.sent.appends;
  const linesBefore = writer?.lines() ?? 0;
  const cpuBefore = process.cpuUsage();
  const held = new HeldLoopProbe();
  held.start();
  loop.enable();
  await delay(seconds * 1000);
  loop.disable();
  const { longestHeldMs } = held.stop();
  clearInterval(probe);
  const cpu = process.cpuUsage(cpuBefore);
  const profile = await profiler?.stop('dist/extension.js');
  return {
    phase: name,
    seconds,
    maxDelayMs: delayBeyond(resolutionMs, loop.max),
    p99DelayMs: delayBeyond(resolutionMs, loop.percentile(99)),
    meanDelayMs: delayBeyond(resolutionMs, loop.mean),
    stallsOver50: stalls.length,
    worstStallMs: round(Math.max(0, ...stalls)),
    longestHeldMs,
    cpuMsPerSecond: round((cpu.user + cpu.system) / 1000 / seconds),
    ...(writer ? { linesWritten: writer.lines() - linesBefore } : {}),
    treeItemCalls: tree.countSince(since, 'getTreeItem'),
    panelAppends: panel.sent.appends - appendsBefore,
    ...(profile ? { profile } : {}),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}
