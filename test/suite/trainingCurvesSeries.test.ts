// The pieces under the curves panels, checked on their own: the debiased EMA, LTTB downsampling, run colours,
// axis ticks, the metrics.jsonl tail reader and the column table, and the config diff of Compare Runs.
import * as assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { configDifferences } from '../../src/extension/panels/compareRuns/comparisonTable';
import { MetricsTail } from '../../src/extension/panels/shared/metricsTail';
import { MetricTable } from '../../src/extension/panels/shared/metricTable';
import { formatTick, niceTicks } from '../../webview/shared/axisTicks';
import { lttb } from '../../webview/shared/downsample';
import { debiasedEma } from '../../webview/shared/ema';
import { runColour } from '../../webview/shared/runColours';
import { temporaryRunsFolder } from './trainingCurvesFixtures';

suite('Training curves: series, colours and metric files', () => {
  test('debiased EMA: α = 0 is the raw series, a constant stays constant, NaN is skipped', () => {
    assert.deepEqual([...debiasedEma([1, 5, 3], 0)], [1, 5, 3]);
    for (const v of debiasedEma(new Float64Array(50).fill(2.5), 0.9)) assert.ok(Math.abs(v - 2.5) < 1e-12);
    const [a, b, c] = debiasedEma([1, NaN, 2], 0.5);
    assert.equal(a, 1);
    assert.ok(Number.isNaN(b));
    assert.ok(Math.abs(c - 1.25 / 0.75) < 1e-12, 'TensorBoard: (α·0.5 + (1 − α)·2) / (1 − α²)');
  });

  test('LTTB keeps the endpoints and a spike, and returns the requested count', () => {
    const n = 2_000;
    const x = Float64Array.from({ length: n }, (_, i) => i);
    const y = Float64Array.from({ length: n }, (_, i) => (i === 1_234 ? 100 : Math.sin(i / 50)));
    const thin = lttb({ x, y }, 300);
    assert.equal(thin.x.length, 300);
    assert.equal(thin.x[0], 0);
    assert.equal(thin.x[299], n - 1);
    assert.ok(thin.y.includes(100), 'the spike survives');
    assert.equal(lttb({ x, y }, 5_000).x, x, 'fewer points than the threshold are returned as they are');
  });

  test('run colours are stable hex colours, different for different runs', () => {
    const ids = Array.from({ length: 20 }, (_, i) => vscode.Uri.file(`/runs/run-${i}`).toString());
    const colours = ids.map(runColour);
    assert.deepEqual(ids.map(runColour), colours);
    for (const colour of colours) assert.match(colour, /^#[0-9a-f]{6}$/);
    assert.ok(new Set(colours).size >= 18, `${new Set(colours).size} distinct colours of 20`);
  });

  test('axis ticks are nice numbers inside the range, with short labels', () => {
    assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(3, 997).slice(0, 3), [200, 400, 600]);
    assert.equal(formatTick(1_500_000), '1.5M');
    assert.equal(formatTick(1e-6), '1e-6');
    assert.equal(formatTick(2.5e-7), '2.5e-7');
    assert.equal(formatTick(0.25), '0.25');
  });

  test('the metrics tail returns only complete new lines and starts over when the file is replaced', async () => {
    const root = temporaryRunsFolder();
    try {
      const file = join(root, 'metrics.jsonl');
      writeFileSync(file, '{"step":1,"loss":0.7}\n{"step":2,"loss":0.6}\n{"step":3,"lo');
      const tail = new MetricsTail(vscode.Uri.file(file));
      assert.deepEqual((await tail.readNew()).records.map((r) => r.step), [1, 2]);
      assert.deepEqual((await tail.readNew()).records, []);
      appendFileSync(file, 'ss":0.5}\nnot json\n{"step":4,"loss":0.4}\n');
      const next = await tail.readNew();
      assert.deepEqual(next.records.map((r) => r.step), [3, 4]);
      assert.equal(next.badLines, 1);
      rmSync(file);
      writeFileSync(file, '{"step":1,"loss":0.9}\n');
      const restarted = await tail.readNew();
      assert.equal(restarted.restarted, true);
      assert.deepEqual(restarted.records.map((r) => r.loss), [0.9]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('the column table backfills late metrics with NaN and reads wall time in any spelling', () => {
    const table = new MetricTable();
    table.append([
      { step: 1, loss: 1, time: '2025-01-01T00:00:00Z' },
      { step: 2, loss: 0.5, 'rewards/margins': 0.1, time: '2025-01-01T00:00:02.500Z', note: 'text is skipped' },
    ]);
    table.append([{ step: 3, loss: 0.25, timestamp: 1735689605000 }]);
    const slice = table.slice(0);
    assert.equal(slice.rows, 3);
    assert.deepEqual([...table.get('loss')!], [1, 0.5, 0.25]);
    const margins = table.get('rewards/margins')!;
    assert.ok(Number.isNaN(margins[0]) && margins[1] === 0.1 && Number.isNaN(margins[2]));
    assert.deepEqual([...table.get('time')!].map((t) => t - 1735689600), [0, 2.5, 5]);
    assert.ok(!slice.names.includes('note') && !slice.names.includes('timestamp'));
    assert.deepEqual([...table.slice(2).columns[slice.names.indexOf('step')]], [3]);
  });

  test('the config diff lists only differing fields, the method-defining ones first', () => {
    const config = (entries: Record<string, string>) => new Map(Object.entries(entries));
    const { differences, identical } = configDifferences([
      config({ loss_type: 'qrpo', beta: '0.1', seed: '42', run_name: 'a', warmup_ratio: '0.1' }),
      config({ loss_type: 'dpo', beta: '0.1', seed: '42', run_name: 'b', warmup_ratio: '0.2' }),
    ]);
    assert.deepEqual(differences.map((d) => d.field), ['loss_type', 'warmup_ratio']);
    assert.deepEqual(differences[0].values, ['qrpo', 'dpo']);
    assert.equal(identical, 2);
  });
});
