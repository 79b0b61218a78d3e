import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, writeSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { ArgumentError } from '../../../src/qrpo/errors';
import { readDataset } from '../../../src/qrpo/data';
import type { PointwiseRecord } from '../../../src/qrpo/data';
import { assistant, tempDir, user, writeJsonl, writeText } from '../../fixtures/data/datasetFixtures';
import { assertReadFails, jsonParseReason, readAll, readSkipping } from './readDatasetTestKit';

const dir = tempDir();

describe('JSONL datasets', () => {
  test('JSONL: rows of every shape, blank lines skipped, lines numbered from 1', async () => {
    const path = writeText(
      dir,
      'mixed.jsonl',
      [
        JSON.stringify({ prompt: 'Q1', completion: 'A1', reward: 1 }),
        '',
        JSON.stringify({ prompt: 'Q2', chosen: 'good', rejected: 'bad' }),
        '   ',
        JSON.stringify({ chosen: [user('Q3'), assistant('c')], rejected: [user('Q3'), assistant('r')], chosen_rewards: [2], rejected_rewards: [1] }),
      ].join('\n') + '\n',
    );
    const { records, summary } = await readAll(path);
    assert.deepEqual(
      records.map((r) => [r.source.line, r.side, r.pairId, r.completion]),
      [
        [1, undefined, undefined, 'A1'],
        [3, 'chosen', 1, 'good'],
        [3, 'rejected', 1, 'bad'],
        [5, 'chosen', 2, [assistant('c')]],
        [5, 'rejected', 2, [assistant('r')]],
      ],
    );
    assert.equal(records[0].source.file, path);
    assert.deepEqual(summary, { rows: 3, records: 5, skipped: 0 });
  });

  test('JSONL: a UTF-8 BOM, CRLF line ends and a last line without newline are accepted', async () => {
    const path = writeText(dir, 'crlf.jsonl', '\ufeff{"prompt":"Q","completion":"A1"}\r\n\r\n{"prompt":"Q","completion":"A\\r\\n2"}');
    const { records } = await readAll(path);
    assert.deepEqual(records.map((r) => [r.source.line, r.completion]), [[1, 'A1'], [3, 'A\r\n2']]);
  });

  test('JSONL: invalid JSON names the line and gives the parser reason', async () => {
    const bad = '{"prompt": "Q", "completion": }';
    const path = writeText(dir, 'invalid.jsonl', `{"prompt":"Q","completion":"A"}\n${bad}\n`);
    await assertReadFails(path, `invalid JSON in ${path} line 2: ${jsonParseReason(bad)}`);
  });

  test('JSONL: ref_rewards of another length than the first row names both lengths', async () => {
    const path = writeJsonl(dir, 'refs.jsonl', [
      { prompt: 'Q', completion: 'A', ref_rewards: [1, 2, 3] },
      { prompt: 'Q', completion: 'B', ref_rewards: [1, 2] },
    ]);
    await assertReadFails(
      path,
      `ref_rewards has 2 entries, expected 3 as in line 1 in ${path} line 2 (field "ref_rewards"). Set numRef to use the first numRef entries of every list`,
    );
    const { records } = await readAll(path, { numRef: 2 });
    assert.deepEqual(records.map((r) => r.refRewards), [[1, 2], [1, 2]]);
    await assertReadFails(path, `ref_rewards has 2 entries, fewer than numRef = 3 in ${path} line 2 (field "ref_rewards")`, { numRef: 3 });
  });

  test('skipInvalid: bad rows (both sides of a pair) are skipped, counted and reported', async () => {
    const path = writeText(
      dir,
      'some-bad.jsonl',
      [
        JSON.stringify({ prompt: 'Q', completion: 'A', reward: 1 }),
        '{not json',
        JSON.stringify({ prompt: 'Q', chosen: 'a', rejected: 'b', chosen_reward: 'NaN', rejected_reward: 0 }),
        JSON.stringify({ prompt: 'Q', chosen: 'a', rejected: 'b', chosen_reward: 1, rejected_reward: 0 }),
        JSON.stringify({ prompt: 'Q', completion: '' }),
      ].join('\n'),
    );
    const { records, summary, skipped } = await readSkipping(path);
    assert.deepEqual(records.map((r) => [r.source.line, r.side ?? 'single']), [[1, 'single'], [4, 'chosen'], [4, 'rejected']]);
    assert.deepEqual(skipped, [
      `invalid JSON in ${path} line 2: ${jsonParseReason('{not json')}`,
      `reward is NaN in ${path} line 3 (field "chosen_reward")`,
      `completion is empty in ${path} line 5 (field "completion")`,
    ]);
    assert.deepEqual(summary, { rows: 5, records: 3, skipped: 3 });
    assert.equal(records[1].pairId, 3, 'pairId is the source row index, skipped rows included');
  });

  test('a missing dataset and a bad numRef fail before any row, even with skipInvalid', async () => {
    const missing = join(dir, 'missing.jsonl');
    await assertReadFails(missing, `dataset not found: ${missing}`, { skipInvalid: true });
    const path = writeJsonl(dir, 'one.jsonl', [{ prompt: 'Q', completion: 'A' }]);
    await assert.rejects(readAll(path, { numRef: 0 }), (error: unknown) => error instanceof ArgumentError && error.message === 'numRef must be a positive integer, got 0');
  });

  test('streaming: a 64 MB JSONL is read with heap growth far below the file size', async (t) => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const path = join(dir, 'large.jsonl');
    const rows = 64 * 1024;
    const filler = 'x'.repeat(900);
    const fd = openSync(path, 'w');
    let block = '';
    for (let i = 0; i < rows; i++) {
      block += `{"prompt":"prompt ${i}","completion":"${filler}","reward":${i / rows},"ref_rewards":[0.1,0.2,0.3,0.4]}\n`;
      if (block.length > 1 << 22) {
        writeSync(fd, block);
        block = '';
      }
    }
    writeSync(fd, block);
    closeSync(fd);
    const size = statSync(path).size;
    assert.ok(size > 60e6, `file is ${size} bytes`);

    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peakGrowth = 0;
    let count = 0;
    let rewardSum = 0;
    for await (const record of readDataset(path)) {
      count++;
      rewardSum += record.reward ?? 0;
      if (count % 8192 === 0) {
        gc();
        peakGrowth = Math.max(peakGrowth, process.memoryUsage().heapUsed - baseline);
      }
    }
    t.diagnostic(`heap grew ${(peakGrowth / 1e6).toFixed(1)} MB reading a ${(size / 1e6).toFixed(0)} MB file`);
    assert.equal(count, rows);
    assert.ok(Math.abs(rewardSum - (rows - 1) / 2) < 1e-6);
    assert.ok(peakGrowth < size / 16, `heap grew ${(peakGrowth / 1e6).toFixed(1)} MB reading a ${(size / 1e6).toFixed(0)} MB file`);
  });
});

describe('JSONL round trip (property)', () => {
  const text = fc.string({ unit: 'binary', maxLength: 20 });
  const nonEmpty = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 });
  const role = fc.constantFrom('system', 'user', 'assistant', 'tool');
  const message = fc.record({ role, content: text }, { noNullPrototype: true });
  const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x));
  const completion = fc.oneof(
    nonEmpty,
    fc.tuple(fc.array(message, { maxLength: 2 }), nonEmpty).map(([before, content]) => [...before, { role: 'assistant', content }]),
  );

  test('any valid generated pointwise row round-trips through JSONL', async () => {
    const path = join(dir, 'property.jsonl');
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }).chain((numRefs) =>
          fc.array(
            fc.record(
              {
                prompt: fc.oneof(text, fc.array(message, { maxLength: 3 })),
                completion,
                reward: finite,
                ref_rewards: fc.array(finite, { minLength: numRefs, maxLength: numRefs }),
                id: fc.nat(),
              },
              { requiredKeys: ['prompt', 'completion'], noNullPrototype: true },
            ),
            { minLength: 1, maxLength: 8 },
          ),
        ),
        async (rows) => {
          writeJsonl(dir, 'property.jsonl', rows);
          const { records } = await readAll(path);
          const expected: PointwiseRecord[] = rows.map((row, i) => {
            const record: PointwiseRecord = { prompt: row.prompt, completion: row.completion, source: { file: path, line: i + 1, unit: 'line' } };
            if (row.reward !== undefined) record.reward = row.reward;
            if (row.ref_rewards !== undefined) record.refRewards = row.ref_rewards;
            if (row.id !== undefined) record.extra = { id: row.id };
            return record;
          });
          assert.deepEqual(records, expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});
