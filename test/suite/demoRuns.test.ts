// The demo's runs open and show every panel with real data. The launcher ran `qrpo demo --quick` with the real CLI
// into the workspace's demo-runs/ (test/integration/demoRuns.ts) before the workbench started; each panel here opens
// on those run folders, and each check compares what the webview received and drew (rendered counts, the text on
// screen, painted canvases) with numbers read from the files the engine wrote. Every panel reports no CSP violation.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ComparisonMessage } from '../../src/extension/panels/compareRuns/protocol';
import type { EvaluationPanel } from '../../src/extension/panels/evaluation/evaluationPanel';
import { SAMPLES_PAGE_SIZE } from '../../src/extension/panels/evaluation/protocol';
import type { LengthBiasPanel } from '../../src/extension/panels/lengthBias/lengthBiasPanel';
import type { RunQuantileRewardsPanel } from '../../src/extension/panels/quantileRewards/runQuantileRewardsPanel';
import type { CurvesPanel } from '../../src/extension/panels/trainingCurves/curvesPanel';
import type { EvalSummary } from '../../src/qrpo/eval/evaluateCheckpoint';
import { linearFit, spearman } from '../../src/qrpo/math/statistics';
import { demoRuns } from '../integration/demoRuns';
import type { WebviewFacts } from '../integration/webviewFacts';
import { assertNoCspViolations, rendered, renderAfter, resultsPanels, webviewFacts } from './resultsTestSupport';
import { activatedApi, delay, waitFor, workspaceFile } from './support/extension';
import { nextRenderWhere, renderWhere } from './trainingCurvesSupport';

type Row = Record<string, unknown>;

/** One of the demo's run folders, read the way a researcher would check a panel against it. */
class DemoRun {
  readonly uri: vscode.Uri;

  constructor(
    readonly name: 'qrpo' | 'dpo',
    relative: string,
  ) {
    this.uri = workspaceFile(...relative.split('/'));
  }

  get dir(): string {
    return this.uri.fsPath;
  }

  lines(...path: string[]): Row[] {
    return readFileSync(join(this.dir, ...path), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Row);
  }

  metrics(): Row[] {
    return this.lines('metrics.jsonl');
  }

  /** Evaluated steps, ascending (0 is the start model). */
  steps(): number[] {
    return readdirSync(join(this.dir, 'evals'))
      .map(Number)
      .filter(Number.isInteger)
      .sort((a, b) => a - b);
  }

  summary(step: number): EvalSummary {
    return JSON.parse(readFileSync(join(this.dir, 'evals', String(step), 'summary.json'), 'utf8')) as EvalSummary;
  }

  samples(step: number): Row[] {
    return this.lines('evals', String(step), 'samples.jsonl');
  }

  lastStep(): number {
    return this.steps().at(-1)!;
  }
}

const qrpo = new DemoRun('qrpo', demoRuns.qrpo);
const dpo = new DemoRun('dpo', demoRuns.dpo);

/** How the panels print a number: `digits` significant digits, trailing zeros dropped. */
function shown(value: number, digits: number): string {
  return String(Number(value.toPrecision(digits)));
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function column(rows: readonly Row[], name: string): number[] {
  return rows.map((row) => row[name]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

function assertChartsPainted(facts: WebviewFacts, charts: number): void {
  assert.equal(facts.canvases.length, charts, `${charts} charts on screen`);
  for (const canvas of facts.canvases) assert.ok(canvas.paintedPixels > 0.01 * canvas.width * canvas.height, `a chart of ${canvas.width}×${canvas.height} px is painted (${canvas.paintedPixels} px)`);
}

suite('Demo runs in every panel', () => {
  suiteSetup(async () => {
    await activatedApi();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Opening run.json revealed it in the Explorer; later suites' screenshots show the Explorer as it was.
    await vscode.commands.executeCommand('workbench.files.action.collapseExplorerFolders');
  });

  test('qrpo demo --quick wrote both runs, done, with an evaluation before and after training', () => {
    for (const run of [qrpo, dpo]) {
      assert.equal((JSON.parse(readFileSync(join(run.dir, 'status.json'), 'utf8')) as { state: string }).state, 'done', `${run.name} is done`);
      assert.ok(run.metrics().length > 0, `${run.name} logged metrics`);
      const steps = run.steps();
      assert.equal(steps[0], 0, `${run.name} evaluated the start model`);
      assert.ok(steps.length >= 2, `${run.name} evaluated a checkpoint`);
    }
    const summary = JSON.parse(readFileSync(workspaceFile(...demoRuns.summary.split('/')).fsPath, 'utf8')) as { scale: string; methods: Record<string, unknown> };
    assert.equal(summary.scale, 'quick');
    assert.deepEqual(Object.keys(summary.methods).sort(), ['dpo', 'qrpo']);
  });

  test('the Runs view lists both runs as done', async () => {
    const api = await activatedApi();
    for (const run of [qrpo, dpo]) await waitFor(`${run.name} listed as done`, () => api.runsModel.run(run.uri)?.state === 'done');
  });

  test('training curves: every logged step of loss and margins, the drawn values summing to the file’s', async () => {
    const panel = (await vscode.commands.executeCommand<CurvesPanel>('qrpo.openTrainingCurves', qrpo.uri))!;
    const metrics = qrpo.metrics();
    const id = qrpo.uri.toString();
    await renderWhere(panel, `${metrics.length} rows`, (r) => r.rows[id] === metrics.length);
    const shownMetrics = ['loss', 'rewards/margins'];
    panel.setView({ metrics: shownMetrics, smoothing: 0, xAxis: 'step' });
    const render = await nextRenderWhere(panel, 'loss and margins unsmoothed', (r) => r.view.smoothing === 0 && r.view.metrics.join() === shownMetrics.join());
    const values = shownMetrics.flatMap((name) => column(metrics, name));
    assert.equal(render.charts, 2);
    assert.equal(render.points, values.length, 'one point per logged value');
    assert.ok(Math.abs(render.digest - values.reduce((a, b) => a + b, 0)) < 1e-9 * (1 + Math.abs(render.digest)), `drawn values sum to ${render.digest}`);
    assertChartsPainted(await webviewFacts('trainingCurves', 'rewards/margins'), 2);
    await delay(500); // late violations arrive after the first paint
    assert.equal(panel.cspViolationCount, 0);
    panel.dispose();
  });

  test('compare runs: QRPO against DPO, curves of both and the table of their config and evaluations', async () => {
    const panel = (await vscode.commands.executeCommand<CurvesPanel>('qrpo.compareRuns', [qrpo.uri, dpo.uri]))!;
    const rows = { [qrpo.uri.toString()]: qrpo.metrics().length, [dpo.uri.toString()]: dpo.metrics().length };
    const render = await renderWhere(panel, 'both runs', (r) => r.runs === 2 && Object.entries(rows).every(([id, n]) => r.rows[id] === n));
    assert.ok(render.points > 0 && render.charts > 0);
    const table = await waitFor('the comparison table', () => (panel.lastCompanionMessages[0] as ComparisonMessage | undefined)?.table);
    assert.deepEqual(table.runs.map((r) => r.name), ['qrpo', 'dpo']);
    assert.deepEqual(table.config.find((d) => d.field === 'loss_type')?.values, ['qrpo', 'dpo']);
    assert.deepEqual(table.evalSteps, [qrpo.lastStep(), dpo.lastStep()]);
    const meanQuantiles = [qrpo, dpo].map((run) => run.summary(run.lastStep()).splits.reporting!.meanQuantile);
    assert.deepEqual(table.evals.find((r) => r.label === 'mean quantile vs π_ref')?.values, meanQuantiles, 'the latest evaluations’ mean quantiles');
    const facts = await webviewFacts('compareRuns', 'mean quantile vs π_ref');
    for (const q of meanQuantiles) assert.ok(facts.text.includes(q.toPrecision(4)), `the table shows mean quantile ${q.toPrecision(4)}`);
    assert.ok(facts.canvases.length > 0 && facts.canvases.every((c) => c.paintedPixels > 0), 'the curves are painted');
    await delay(500);
    assert.equal(panel.cspViolationCount, 0);
    panel.dispose();
  });

  test('quantile reward histograms: the dataset’s, the reference samples’ and each checkpoint’s quantiles', async () => {
    const panel = (await vscode.commands.executeCommand<RunQuantileRewardsPanel>('qrpo.openQuantileRewards', qrpo.uri))!;
    assert.equal(await rendered(panel.host, 'charts'), 3, 'three histograms drawn');
    const last = qrpo.lastStep();
    assert.equal(await rendered(panel.host, 'checkpoint'), last, 'the last checkpoint shown first');
    const data = panel.lastData!;
    const prepared = column(qrpo.lines('stages', 'quantiles', 'train.prepared.jsonl'), 'quantile');
    assert.deepEqual(Array.from(data.dataset!.quantiles), prepared, 'the quantiles training used');
    const references = qrpo.lines('stages', 'reward_scoring', 'reference_samples.jsonl');
    assert.equal(data.reference!.quantiles.length, references.length, 'one leave-one-out quantile per reference sample');
    assert.deepEqual(data.checkpoints.map((c) => c.step), qrpo.steps());
    const checkpointQuantiles = column(qrpo.samples(last), 'quantile');
    assert.deepEqual(Array.from(data.checkpoints.at(-1)!.quantiles), checkpointQuantiles);
    const meanQuantile = qrpo.summary(last).splits.all!.meanQuantile;
    assert.ok(Math.abs(mean(checkpointQuantiles) - meanQuantile) < 1e-12, 'the samples’ quantiles average to the summary’s');

    const facts = await webviewFacts('runQuantileRewards', 'Quantile rewards: qrpo');
    assert.ok(facts.text.includes(`${prepared.length} records of stages/quantiles/train.prepared.jsonl, mean quantile ${shown(mean(prepared), 3)}`), 'the dataset histogram’s caption');
    assert.ok(facts.text.includes(`${references.length} samples of ${data.reference!.prompts} prompts`), 'the reference histogram’s caption');
    assert.ok(facts.text.includes(`${checkpointQuantiles.length} samples, mean quantile ${shown(meanQuantile, 3)}`), 'the checkpoint histogram’s caption');
    assertChartsPainted(facts, 3);
    assert.equal(await renderAfter(panel.host, 'checkpoint', () => panel.selectStep(0)), 0, 'the start model’s histogram');
    await assertNoCspViolations(panel.host);
    panel.dispose();
  });

  test('length bias: each run’s last checkpoint, every sample with a length, fits from src/qrpo/math', async () => {
    const panel = (await vscode.commands.executeCommand<LengthBiasPanel>('qrpo.openLengthBias', [qrpo.uri, dpo.uri]))!;
    const points = (run: DemoRun) => run.samples(run.lastStep()).filter((row) => Number.isFinite(row.length_z) && Number.isFinite(row.implicit_reward));
    assert.equal(await rendered(panel.host, 'scatter'), points(qrpo).length + points(dpo).length, 'a point per sample of both last checkpoints');
    assert.equal(await rendered(panel.host, 'lengths'), 2);
    for (const run of [qrpo, dpo]) {
      const series = panel.lastData!.series.find((s) => s.runName === run.name && s.step === run.lastStep())!;
      const rows = points(run);
      const x = column(rows, 'length_z');
      const y = column(rows, 'implicit_reward');
      assert.deepEqual(Array.from(series.x), x);
      assert.equal(series.fits.all!.spearman, spearman(x, y), `${run.name} ρ`);
      assert.equal(series.fits.all!.slope, linearFit(x, y).slope, `${run.name} slope`);
      const lengths = panel.lastData!.lengths.find((l) => l.runName === run.name)!;
      assert.deepEqual(Array.from(lengths.steps), run.steps());
      assert.deepEqual(Array.from(lengths.meanLength), run.steps().map((step) => run.summary(step).splits.all!.meanLength));
    }
    const facts = await webviewFacts('lengthBias', 'Length bias: 2 runs');
    for (const run of [qrpo, dpo]) assert.ok(facts.text.includes(`${run.name} · step ${run.lastStep()}`), `a chip for ${run.name}’s last checkpoint`);
    assertChartsPainted(facts, 2);
    await assertNoCspViolations(panel.host);
    panel.dispose();
  });

  test('evaluation summary: each checkpoint’s mean quantile from its summary.json, and the samples table', async () => {
    const panel = (await vscode.commands.executeCommand<EvaluationPanel>('qrpo.openResults', dpo.uri))!;
    const steps = dpo.steps();
    assert.equal(await rendered(panel.host, 'summary'), steps.length, 'a row per checkpoint');
    for (const step of steps) {
      const row = panel.checkpointRows.find((r) => r.step === step && r.split === 'all')!;
      assert.equal(row.meanQuantile, dpo.summary(step).splits.all!.meanQuantile, `step ${step}`);
    }
    const samples = dpo.samples(dpo.lastStep());
    assert.equal(await rendered(panel.host, 'samples'), Math.min(SAMPLES_PAGE_SIZE, samples.length));
    const page = panel.lastSamplesPage!;
    assert.equal(page.total, samples.length);
    assert.deepEqual(
      page.rows.map((r) => [r.completion, r.reward, r.quantile]),
      samples.slice(0, SAMPLES_PAGE_SIZE).map((row) => [row.completion, row.reward, row.quantile]),
      'the first page is the first lines of samples.jsonl',
    );
    const facts = await webviewFacts('evaluation', 'Evaluation: dpo');
    for (const step of steps) assert.ok(facts.text.includes(shown(dpo.summary(step).splits.all!.meanQuantile, 4)), `the table shows step ${step}’s mean quantile`);
    assert.ok(facts.text.includes(`1–${page.rows.length} of ${samples.length}`), 'the pager counts every sample');
    await assertNoCspViolations(panel.host);
    panel.dispose();
  });

  test('run results editor: run.json opened with it shows the run’s evaluation', async () => {
    const panels = await resultsPanels();
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.joinPath(qrpo.uri, 'run.json'), 'qrpo.runResults');
    const editor = await waitFor('the run results editor', () => panels.runResultsEditors.editorsOf(qrpo.uri)[0]);
    assert.equal(await rendered(editor.host, 'summary'), qrpo.steps().length);
    const facts = await webviewFacts('evaluation', 'Evaluation: qrpo');
    const meanQuantile = qrpo.summary(qrpo.lastStep()).splits.all!.meanQuantile;
    assert.ok(facts.text.includes(shown(meanQuantile, 4)), `the editor shows the last mean quantile ${shown(meanQuantile, 4)}`);
    await assertNoCspViolations(editor.host);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
