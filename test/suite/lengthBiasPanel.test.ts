// The Length Bias panel over a QRPO and a DPO run: the scatter of standardised length against implicit reward with
// each series' fit, whose numbers must be src/qrpo/math's linearFit and spearman on the same samples; the DPO run
// shows the length bias the paper reports and the QRPO run does not; split and series choices; exports.
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { LengthBiasPanel } from '../../src/extension/panels/lengthBias/lengthBiasPanel';
import { linearFit, spearman } from '../../src/qrpo/math/statistics';
import { resultsFixture, writeResultsFixture, type ResultsFixture } from './resultsRunFixture';
import { assertNoCspViolations, renderAfter, rendered, resultsPanels, screenshotsInBothThemes } from './resultsTestSupport';

interface SampleLine {
  split: string;
  length_z: number | null;
  implicit_reward: number;
}

function points(run: string, step: number, split?: string): { x: number[]; y: number[] } {
  const rows = readFileSync(join(run, 'evals', String(step), 'samples.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SampleLine)
    .filter((row) => row.length_z !== null && (split === undefined || row.split === split));
  return { x: rows.map((r) => r.length_z!), y: rows.map((r) => r.implicit_reward) };
}

suite('Length Bias panel', () => {
  let fixture: ResultsFixture;
  let panel: LengthBiasPanel;

  suiteSetup(() => {
    fixture = writeResultsFixture();
  });

  suiteTeardown(() => {
    panel?.dispose();
    rmSync(fixture.root, { recursive: true, force: true });
  });

  test('qrpo.openLengthBias overlays several runs, each at its last checkpoint', async () => {
    const runs = [vscode.Uri.file(fixture.qrpoRun), vscode.Uri.file(fixture.dpoRun)];
    panel = (await vscode.commands.executeCommand<LengthBiasPanel>('qrpo.openLengthBias', runs[0], runs))!;
    assert.ok(panel?.host, 'the command returns the panel');
    const samples = resultsFixture.evalPrompts * resultsFixture.samplesPerPrompt;
    assert.equal(await rendered(panel.host, 'scatter'), 2 * samples, 'two series drawn: the last checkpoint of each run');
    assert.equal(await rendered(panel.host, 'lengths'), 2);
    assert.equal(panel.lastData!.series.length, 2 * resultsFixture.steps.length);
  });

  test('fit numbers are src/qrpo/math linearFit and spearman on the same samples', () => {
    for (const series of panel.lastData!.series) {
      const run = vscode.Uri.parse(series.run).fsPath;
      for (const split of ['all', 'selection', 'reporting'] as const) {
        const { x, y } = points(run, series.step, split === 'all' ? undefined : split);
        const fit = series.fits[split];
        assert.ok(fit, `${series.key} ${split} has a fit`);
        const expected = linearFit(x, y);
        assert.equal(fit.slope, expected.slope);
        assert.equal(fit.intercept, expected.intercept);
        assert.equal(fit.r2, expected.r2);
        assert.equal(fit.spearman, spearman(x, y));
        assert.equal(fit.samples, x.length);
      }
    }
  });

  test('the DPO run rewards length and the QRPO run does not (the paper’s Figure 4)', () => {
    const at100 = (name: string) => panel.lastData!.series.find((s) => s.step === 100 && s.runName === name)!.fits.all!;
    assert.ok(at100('dpo-beta-0.1').spearman > 0.4, `DPO ρ ${at100('dpo-beta-0.1').spearman}`);
    assert.ok(Math.abs(at100('qrpo-beta-0.1').spearman) < 0.3, `QRPO ρ ${at100('qrpo-beta-0.1').spearman}`);
    const lengths = panel.lastData!.lengths.find((l) => l.runName === 'dpo-beta-0.1')!;
    assert.deepEqual(Array.from(lengths.steps), [...resultsFixture.steps]);
    assert.equal(lengths.metric?.name, 'completion_length', 'the length metric from metrics.jsonl');
  });

  test('shows the chosen series on the chosen split', async () => {
    const dpo = panel.lastData!.series.filter((s) => s.runName === 'dpo-beta-0.1');
    const expected = dpo.reduce((n, s) => n + points(vscode.Uri.parse(s.run).fsPath, s.step).x.length, 0);
    assert.equal(await renderAfter(panel.host, 'scatter', () => panel.show({ split: 'selection', shown: dpo.map((s) => s.key) })), expected);
    assert.equal(panel.viewState.split, 'selection');
  });

  test('reports zero Content Security Policy violations', async () => {
    await assertNoCspViolations(panel.host);
  });

  test('leaves screenshots (dark and light themes)', async () => {
    await renderAfter(panel.host, 'scatter', () => panel.show({ split: 'all' }));
    await screenshotsInBothThemes('length-bias', panel.host, ['scatter', 'lengths']);
  });

  test('exports the fits and the points', async () => {
    const fits = (await panel.exportData('fits', 'csv', vscode.Uri.file(join(fixture.root, 'fits.csv'))))!;
    const lines = readFileSync(fits.fsPath, 'utf8').trim().split('\r\n');
    assert.equal(lines[0], 'run,loss_type,step,split,slope,intercept,r2,spearman,samples');
    assert.equal(lines.length - 1, panel.lastData!.series.length * 3);
    const pointsFile = (await panel.exportData('points', 'json', vscode.Uri.file(join(fixture.root, 'points.json'))))!;
    const rows = JSON.parse(readFileSync(pointsFile.fsPath, 'utf8')) as unknown[];
    assert.equal(rows.length, panel.lastData!.series.reduce((n, s) => n + s.x.length, 0));
  });

  test('opening the same runs again reveals the open panel', async () => {
    const again = await vscode.commands.executeCommand('qrpo.openLengthBias', [vscode.Uri.file(fixture.dpoRun), vscode.Uri.file(fixture.qrpoRun)]);
    assert.equal(again, panel);
    assert.equal((await resultsPanels()).lengthBias.registry.all().length, 1);
  });
});
