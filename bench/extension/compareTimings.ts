// (b) A comparison panel of many runs: `qrpo.compareRuns` on N run folders → the webview's first `rendered` with
// every run's rows (the panel reports it; its `ms` is the webview's share, from the snapshot's arrival to the first
// frame after drawing). Three disjoint sets of runs, so no run's metrics are already in memory. The host's largest
// event-loop delay while the panel loads is recorded too, and the longest the main thread was held at once
// (heldLoopProbe.ts), which a busy machine's scheduling does not inflate. Training Curves of one run, for scale.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { CurvesPanel, CurvesRender } from '../../src/extension/panels/trainingCurves/curvesPanel';
import type { HostBenchConfig } from './benchConfig';
import { CpuProfiler, type CpuAttribution } from './cpuProfile';
import { HeldLoopProbe } from './heldLoopProbe';
import { delayBeyond, summarize, type Summary } from './stats';

export interface PanelTimings {
  /** Command → first `rendered` with all rows of all runs. */
  readonly commandToRenderedMs: Summary;
  /** The webview's own share (RenderedMessage.ms). */
  readonly webviewMs: Summary;
  /** Command → the comparison table posted (Compare Runs only). */
  readonly commandToTableMs?: Summary;
  /** Largest extension-host event-loop delay while the panel loaded (monitorEventLoopDelay, 10 ms resolution). */
  readonly maxLoopDelayMs: Summary;
  /** The most main-thread CPU time between two ticks of a 5 ms timer while the panel loaded. */
  readonly longestHeldMs: Summary;
  /** The second opening again, under the CPU profiler: whose code held the loop. */
  readonly profiled: { readonly commandToRenderedMs: number; readonly profile: CpuAttribution };
  readonly points: number;
  readonly charts: number;
}

/** The first webview of the window pays for the webview machinery itself (service worker, frames, our bundle). */
export async function measureFirstWebview(runFolder: (name: string) => vscode.Uri, finished: readonly string[]): Promise<number> {
  const start = performance.now();
  const panel = (await vscode.commands.executeCommand<CurvesPanel>('qrpo.openTrainingCurves', runFolder(finished[finished.length - 10])))!;
  await until(() => panel.lastRendered, () => 'the first Training Curves panel to render');
  const ms = performance.now() - start;
  panel.dispose();
  return Math.round(ms);
}

export async function measureCompare(config: HostBenchConfig, runFolder: (name: string) => vscode.Uri, finished: readonly string[]): Promise<PanelTimings> {
  const sets = [0, 1, 2].map((k) => finished.slice(k * config.compare, (k + 1) * config.compare));
  return measurePanel('qrpo.compareRuns', sets.map((names) => names.map(runFolder)), config.steps, true);
}

export async function measureTrainingCurves(config: HostBenchConfig, runFolder: (name: string) => vscode.Uri, finished: readonly string[]): Promise<PanelTimings> {
  const sets = [1, 2, 3].map((k) => [runFolder(finished[finished.length - k])]);
  return measurePanel('qrpo.openTrainingCurves', sets, config.steps, false);
}

async function measurePanel(command: string, sets: vscode.Uri[][], steps: number, table: boolean): Promise<PanelTimings> {
  const total: number[] = [];
  const webview: number[] = [];
  const tables: number[] = [];
  const delays: number[] = [];
  const held: number[] = [];
  let last: CurvesRender | undefined;
  for (const folders of sets) await open(folders);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  const profiler = new CpuProfiler();
  await profiler.start();
  const profiledMs = await open(sets[1]);
  const profile = await profiler.stop('dist/extension.js');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  return {
    commandToRenderedMs: summarize(total.slice(0, sets.length)),
    webviewMs: summarize(webview.slice(0, sets.length)),
    ...(table ? { commandToTableMs: summarize(tables.slice(0, sets.length)) } : {}),
    maxLoopDelayMs: summarize(delays.slice(0, sets.length)),
    longestHeldMs: summarize(held.slice(0, sets.length)),
    points: last?.points ?? 0,
    charts: last?.charts ?? 0,
    profiled: { commandToRenderedMs: Math.round(profiledMs), profile },
  };

  async function open(folders: vscode.Uri[]): Promise<number> {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const probe = new HeldLoopProbe();
    probe.start();
    const start = performance.now();
    const panel = (await vscode.commands.executeCommand<CurvesPanel>(command, folders))!;
    const complete = (r: CurvesRender | undefined) => r !== undefined && r.runs === folders.length && folders.every((f) => r.rows[f.toString()] === steps);
    const render = await until(
      () => (complete(panel.lastRendered) ? panel.lastRendered : undefined),
      () => `${command} of ${folders.length} runs to render (last rendered: ${JSON.stringify({ ...panel.lastRendered, view: undefined })}, sent ${JSON.stringify(panel.sent)}, visible ${panel.webviewPanel.visible})`,
    );
    total.push(performance.now() - start);
    webview.push(render.ms);
    if (table) {
      await until(() => (panel.lastCompanionMessages.length ? true : undefined), () => 'the comparison table');
      tables.push(performance.now() - start);
    }
    loop.disable();
    delays.push(delayBeyond(10, loop.max));
    held.push(probe.stop().longestHeldMs);
    last = render;
    return total[total.length - 1];
  }
}

async function until<T>(read: () => T | undefined, what: () => string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      console.log('[qrpo-bench-screenshot] timeout');
      await new Promise((resolve) => setTimeout(resolve, 3000));
      throw new Error(`timed out waiting for ${what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
