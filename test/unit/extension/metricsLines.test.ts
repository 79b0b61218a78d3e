// metrics.jsonl from bytes to records: slices cut on line boundaries that together hold every line once, whatever
// the slice size and line lengths, and parsing slice by slice gives what parsing the whole would.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lineSlices, parseMetricsLines } from '../../../src/extension/panels/shared/metricsLines';

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const jsonLine = fc.record({ step: fc.nat(), loss: fc.double({ noNaN: true, noDefaultInfinity: true }), note: fc.string({ maxLength: 300 }) }).map((row) => JSON.stringify(row));

describe('metricsLines', () => {
  test('slices end on a newline, hold every line once, and exceed the slice size only for a single long line', () => {
    fc.assert(
      fc.property(fc.array(jsonLine, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 2_000 }), (lines, sliceBytes) => {
        const bytes = encode(lines.map((line) => `${line}\n`).join(''));
        const slices = [...lineSlices(bytes, sliceBytes)];
        assert.equal(slices.map(decode).join(''), decode(bytes));
        for (const slice of slices) {
          assert.equal(slice[slice.length - 1], 0x0a, 'ends on a newline');
          if (slice.length > sliceBytes) assert.equal(decode(slice).trimEnd().split('\n').length, 1, 'only a single line overflows');
        }
      }),
    );
  });

  test('an empty read has no slices', () => {
    assert.deepEqual([...lineSlices(new Uint8Array(0))], []);
  });

  test('parsing slice by slice gives the records and bad lines of parsing the whole', () => {
    const lines = Array.from({ length: 500 }, (_, i) => (i === 137 ? '{"step": 138, "lo' : i === 301 ? '[1, 2]' : JSON.stringify({ step: i + 1, loss: 1 / (i + 1), text: 'é'.repeat(i % 7) })));
    const bytes = encode(lines.map((line) => `${line}\n`).join(''));
    const whole = parseMetricsLines(bytes);
    const sliced = [...lineSlices(bytes, 1_000)].map(parseMetricsLines);
    assert.ok(sliced.length > 10);
    assert.deepEqual(sliced.flatMap((s) => s.records), whole.records);
    assert.equal(sliced.reduce((n, s) => n + s.badLines, 0), 2);
    assert.equal(whole.badLines, 2);
    assert.equal(whole.records.length, 498);
  });
});
