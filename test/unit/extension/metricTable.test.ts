// The metric columns a panel draws from: a field lands in its own column whatever the order of fields in a line,
// a field first seen late (or first as text) is NaN before its first number, and clear() starts the table afresh.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MetricTable } from '../../../src/extension/panels/shared/metricTable';

const column = (table: MetricTable, name: string) => [...(table.get(name) ?? [])];

describe('MetricTable', () => {
  test('fields land in their own columns whatever their order in each line', () => {
    const table = new MetricTable();
    table.append([
      { step: 1, loss: 0.9, grad_norm: 2 },
      { grad_norm: 1.5, loss: 0.8, step: 2 },
      { step: 3, loss: 0.7, grad_norm: 1 },
      { loss: 0.6, step: 4 },
    ]);
    assert.deepEqual(column(table, 'step'), [1, 2, 3, 4]);
    assert.deepEqual(column(table, 'loss'), [0.9, 0.8, 0.7, 0.6]);
    assert.deepEqual(column(table, 'grad_norm'), [2, 1.5, 1, NaN]);
  });

  test('a field that is text or missing in early lines is NaN there, and a number from its first number on', () => {
    const table = new MetricTable();
    table.append([{ step: 1, eval_loss: 'n/a' }, { step: 2, eval_loss: 'n/a' }]);
    assert.equal(table.get('eval_loss'), undefined, 'no column while no line had a number');
    table.append([{ step: 3, eval_loss: 0.5 }, { step: 4, eval_loss: null }, { step: 5, eval_loss: 0.4, kl: 0.01 }]);
    assert.deepEqual(column(table, 'eval_loss'), [NaN, NaN, 0.5, NaN, 0.4]);
    assert.deepEqual(column(table, 'kl'), [NaN, NaN, NaN, NaN, 0.01]);
    assert.deepEqual(table.metricNames(), ['step', 'eval_loss', 'kl']);
  });

  test('wall time comes from the preferred field present in each line, in seconds', () => {
    const table = new MetricTable();
    table.append([
      { step: 1, time: '2025-01-01T00:00:00Z', timestamp: 0 },
      { step: 2, timestamp: 1735689601000 },
      { step: 3, wall_time: 1735689602.5 },
      { step: 4, time: 'not a date', _timestamp: 1735689603 },
    ]);
    assert.deepEqual(column(table, 'time').map((t) => t - 1735689600), [0, 1, 2.5, 3]);
    assert.ok(!table.metricNames().includes('timestamp'));
  });

  test('rows keep their columns across a growth of the table', () => {
    const table = new MetricTable();
    const rows = Array.from({ length: 1_000 }, (_, i) => (i % 2 ? { step: i, loss: i / 1000 } : { loss: i / 1000, step: i, extra: i }));
    table.append(rows.slice(0, 300));
    table.append(rows.slice(300));
    assert.equal(table.rows, 1_000);
    assert.deepEqual(column(table, 'step'), rows.map((row) => row.step));
    assert.deepEqual(column(table, 'extra'), rows.map((row, i) => ('extra' in row ? i : NaN)));
  });

  test('clear() starts afresh: columns and their order come from the lines after it', () => {
    const table = new MetricTable();
    table.append([{ step: 1, loss: 0.9 }]);
    table.clear();
    table.append([{ loss: 0.5, step: 7 }, { step: 8, loss: 0.4 }]);
    assert.deepEqual(table.metricNames(), ['loss', 'step']);
    assert.deepEqual(column(table, 'step'), [7, 8]);
    assert.deepEqual(column(table, 'loss'), [0.5, 0.4]);
  });
});
