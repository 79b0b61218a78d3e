import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { detectFormat } from '../../../src/qrpo/data';
import {
  assistant,
  authorsColumns,
  column,
  tempDir,
  user,
  writeArrow,
  writeJsonl,
  writeParquet,
  writeSavedDataset,
  writeSavedDatasetDict,
  writeText,
} from '../../fixtures/data/datasetFixtures';
import { assertReadFails, jsonParseReason, readAll, readSkipping } from './readDatasetTestKit';

const dir = tempDir();

describe('JSON datasets', () => {
  const rows = [
    { prompt: 'Q1', completion: 'A1', reward: 1 },
    { prompt: 'Q2', completion: 'A2', reward: 'NaN' },
  ];

  test('JSON: an array of rows; rows are named "row N"', async () => {
    const path = writeText(dir, 'array.json', JSON.stringify(rows, null, 2));
    await assertReadFails(path, `reward is NaN in ${path} row 2 (field "reward")`);
    const { records } = await readSkipping(path);
    assert.deepEqual(records, [{ prompt: 'Q1', completion: 'A1', reward: 1, source: { file: path, line: 1, unit: 'row' } }]);
  });

  test('JSON: an object with a data or rows list', async () => {
    for (const key of ['data', 'rows']) {
      const path = writeText(dir, `${key}.json`, JSON.stringify({ version: 1, [key]: rows.slice(0, 1) }));
      const { records } = await readAll(path);
      assert.deepEqual(records.map((r) => r.completion), ['A1']);
    }
  });

  test('JSON: column-oriented {column: [values]}', async () => {
    const path = writeText(
      dir,
      'columns.json',
      JSON.stringify({ prompt: ['Q1', [user('Q2')]], completion: ['A1', [assistant('A2')]], ref_rewards: [[1, 2], [3, 4]] }),
    );
    const { records } = await readAll(path);
    assert.deepEqual(
      records.map((r) => [r.source.line, r.prompt, r.completion, r.refRewards]),
      [
        [1, 'Q1', 'A1', [1, 2]],
        [2, [user('Q2')], [assistant('A2')], [3, 4]],
      ],
    );
  });

  test("JSON: JSON Lines under a .json name (datasets' to_json) stream as lines", async () => {
    const conversational = { prompt: [user('Q')], chosen: [assistant('a')], rejected: [assistant('b')] };
    const path = writeJsonl(dir, 'lines.json', [conversational, { prompt: 'Q', completion: '' }]);
    await assertReadFails(path, `completion is empty in ${path} line 2 (field "completion")`);
    const single = writeJsonl(dir, 'single-line.json', [conversational]);
    const { records } = await readAll(single);
    assert.deepEqual(records.map((r) => r.completion), [[assistant('a')], [assistant('b')]]);
  });

  test('JSON: a syntax error or an unknown layout is an error about the file', async () => {
    const broken = '[{"prompt": "Q",';
    const path = writeText(dir, 'broken.json', broken);
    await assertReadFails(path, `invalid JSON in ${path}: ${jsonParseReason(broken)}`, { skipInvalid: true });
    const odd = writeText(dir, 'odd.json', '{"prompt": "Q", "completions": ["a", "b"]}\n');
    await assertReadFails(odd, `row has none of the known shapes (prompt+completion, prompt+chosen+rejected, chosen+rejected messages) in ${odd} line 1: its fields are prompt, completions`);
    const scalar = writeText(dir, 'scalar.json', '42');
    await assertReadFails(
      scalar,
      `unrecognised JSON layout in ${scalar}: expected an array of rows, an object with a "data" or "rows" list, or an object of equal-length columns`,
    );
  });
});

describe('CSV datasets', () => {
  test('CSV: header row, numbers from strings, list columns as JSON arrays, empty cells absent', async () => {
    const path = writeText(dir, 'pointwise.csv', 'prompt,completion,reward,ref_rewards,note\nQ,A,0.5,"[0.1, 0.2]",hi\nQ,B,,"[0.3, 0.4]",\n');
    const { records } = await readAll(path);
    assert.deepEqual(records, [
      { prompt: 'Q', completion: 'A', reward: 0.5, refRewards: [0.1, 0.2], source: { file: path, line: 2, unit: 'line' }, extra: { note: 'hi' } },
      { prompt: 'Q', completion: 'B', refRewards: [0.3, 0.4], source: { file: path, line: 3, unit: 'line' } },
    ]);
  });

  test('CSV: rows are named by the physical line where they start (quoted newlines, BOM, CRLF)', async () => {
    const text = '\ufeffprompt,completion,reward\r\n"line one\r\nline two",A,1\r\n\r\nQ,"multi\nline\nanswer",NaN\r\n';
    const path = writeText(dir, 'multiline.csv', text);
    await assertReadFails(path, `reward is NaN in ${path} line 5 (field "reward")`);
    const { records } = await readSkipping(path);
    assert.deepEqual(records.map((r) => [r.source.line, r.prompt]), [[2, 'line one\r\nline two']]);
  });

  test('CSV: line numbers stay right across read chunks (a 256 KB file of multi-line cells)', async () => {
    const lines = ['prompt,completion,reward'];
    const expected: number[] = [];
    let nextLine = 2;
    let size = 0;
    for (let i = 0; size < 1 << 18; i++) {
      expected.push(nextLine);
      const text = i % 3 === 0 ? `"first\r\nsecond, ""quoted""\nthird ${i}"` : `plain ${i}`;
      lines.push(`Q${i},${text},${i}`);
      nextLine += i % 3 === 0 ? 3 : 1;
      size += lines[lines.length - 1].length;
      if (i % 7 === 0) {
        lines.push('');
        nextLine++;
      }
    }
    const path = writeText(dir, 'large.csv', lines.join('\n') + '\n');
    const { records } = await readAll(path);
    assert.equal(records.length, expected.length);
    assert.deepEqual(records.map((r) => r.source.line), expected);
  });

  test('CSV: TRL pairs with conversational JSON cells and UltraFeedback scores', async () => {
    const cell = (value: unknown) => `"${JSON.stringify(value).replace(/"/g, '""')}"`;
    const path = writeText(
      dir,
      'pairs.csv',
      `prompt,chosen,rejected,score_chosen,score_rejected\n${cell([user('Q')])},${cell([assistant('a')])},${cell([assistant('b')])},8,2.5\n`,
    );
    const { records } = await readAll(path);
    assert.deepEqual(
      records.map((r) => [r.side, r.prompt, r.completion, r.reward]),
      [
        ['chosen', [user('Q')], [assistant('a')], 8],
        ['rejected', [user('Q')], [assistant('b')], 2.5],
      ],
    );
  });

  test('CSV: a row with another number of cells than the header is a bad row', async () => {
    const path = writeText(dir, 'ragged.csv', 'prompt,completion\nQ,A\nQ,B,extra\nQ,C\n');
    const { records, skipped } = await readSkipping(path);
    assert.deepEqual(records.map((r) => r.completion), ['A', 'C']);
    assert.deepEqual(skipped, [`row has 3 cells, the header has 2 in ${path} line 3`]);
  });

  test('CSV: an unclosed quote is an error about the file', async () => {
    const path = writeText(dir, 'unclosed.csv', 'prompt,completion\nQ,A\n"Q,B\n');
    await assertReadFails(path, `invalid CSV in ${path} line 3: Quote Not Closed: the parsing is finished with an opening quote at line 3`, {
      skipInvalid: true,
    });
  });
});

describe('Parquet datasets', () => {
  test("Parquet: the authors' format, message lists as list<struct>, read one row group at a time", async () => {
    const path = writeParquet(join(dir, 'authors.parquet'), authorsColumns(5), 2);
    const { records, summary } = await readAll(path);
    assert.deepEqual(summary, { rows: 5, records: 10, skipped: 0 });
    assert.deepEqual(records[6], {
      prompt: [user('question 3')],
      completion: [assistant('good answer 3')],
      reward: 3.5,
      refRewards: [3.1, 3.2, 3.3],
      side: 'chosen',
      pairId: 3,
      source: { file: path, line: 4, unit: 'row' },
      extra: { prompt_id: 'p3' },
    });
    assert.deepEqual(records.map((r) => r.source.line), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  test('Parquet: NaN in a float column names the row; INT64 columns arrive as numbers', async () => {
    const path = writeParquet(join(dir, 'pointwise.parquet'), [
      column('prompt', 'string', ['Q1', 'Q2', 'Q3']),
      column('completion', 'string', ['A1', 'A2', 'A3']),
      column('reward', 'double', [0.5, null, NaN]),
      column('id', 'int64', [10, 11, 12]),
    ]);
    await assertReadFails(path, `reward is NaN in ${path} row 3 (field "reward")`);
    const { records, skipped } = await readSkipping(path);
    assert.deepEqual(records, [
      { prompt: 'Q1', completion: 'A1', reward: 0.5, source: { file: path, line: 1, unit: 'row' }, extra: { id: 10 } },
      { prompt: 'Q2', completion: 'A2', source: { file: path, line: 2, unit: 'row' }, extra: { id: 11 } },
    ]);
    assert.equal(skipped.length, 1);
  });

  test('Parquet: GZIP and BROTLI pages are decoded with zlib', async () => {
    for (const codec of ['GZIP', 'BROTLI'] as const) {
      const path = writeParquet(join(dir, `${codec}.parquet`), authorsColumns(3), undefined, codec);
      const { records } = await readAll(path);
      assert.deepEqual(records.map((r) => r.reward), [0.5, 0.25, 1.5, 1.25, 2.5, 2.25]);
    }
  });

  test('Parquet: a file that is not Parquet is an error about the file', async () => {
    const path = writeText(dir, 'fake.parquet', 'this is not parquet at all');
    await assertReadFails(path, `invalid Parquet file ${path}: parquet file invalid (footer != PAR1)`);
    const empty = writeText(dir, 'empty.parquet', '');
    await assertReadFails(empty, `invalid Parquet file ${empty}: 0 bytes is too short for Parquet`);
  });
});

describe('Arrow datasets and Hugging Face folders', () => {
  test('HF datasets folder: save_to_disk layout with Arrow stream shards, rows numbered per shard', async () => {
    const folder = writeSavedDataset(join(dir, 'saved'), authorsColumns(5), { shards: 2, batchSize: 2 });
    const { records, summary } = await readAll(folder);
    assert.deepEqual(summary, { rows: 5, records: 10, skipped: 0 });
    const shard1 = join(folder, 'data-00001-of-00002.arrow');
    assert.deepEqual(records[8], {
      prompt: [user('question 4')],
      completion: [assistant('good answer 4')],
      reward: 4.5,
      refRewards: [4.1, 4.2, 4.3],
      side: 'chosen',
      pairId: 4,
      source: { file: shard1, line: 2, unit: 'row' },
      extra: { prompt_id: 'p4' },
    });
    assert.deepEqual(records.map((r) => r.source.line), [1, 1, 2, 2, 3, 3, 1, 1, 2, 2]);
  });

  test('Arrow: a single .arrow file, stream or file format; NaN in a list names the index and row', async () => {
    const columns = [
      column('prompt', 'string', ['Q1', 'Q2']),
      column('completion', 'string', ['A1', 'A2']),
      column('ref_rewards', 'doubles', [[0.1, 0.2], [0.3, NaN]]),
    ];
    for (const format of ['stream', 'file'] as const) {
      const path = writeArrow(join(dir, `single-${format}.arrow`), columns, format);
      await assertReadFails(path, `ref_rewards[1] is NaN in ${path} row 2 (field "ref_rewards")`);
      const { records } = await readSkipping(path);
      assert.deepEqual(records, [{ prompt: 'Q1', completion: 'A1', refRewards: [0.1, 0.2], source: { file: path, line: 1, unit: 'row' } }]);
    }
  });

  test('DatasetDict folder: train by default, folder:split or the split option for another split', async () => {
    const pointwise = (answer: string) => [column('prompt', 'string', ['Q']), column('completion', 'string', [answer])];
    const folder = writeSavedDatasetDict(join(dir, 'dict'), { train: pointwise('from train'), test: pointwise('from test') });
    assert.deepEqual((await readAll(folder)).records.map((r) => r.completion), ['from train']);
    assert.deepEqual((await readAll(`${folder}:test`)).records.map((r) => r.completion), ['from test']);
    assert.deepEqual((await readAll(folder, { split: 'test' })).records.map((r) => r.completion), ['from test']);
    assert.equal((await readAll(folder)).records[0].source.file, join(folder, 'train', 'data-00000-of-00001.arrow'));
  });

  test('DatasetDict folder: an unknown split lists the splits', async () => {
    const folder = writeSavedDatasetDict(join(dir, 'dict2'), { test: authorsColumns(1), validation: authorsColumns(1) });
    await assertReadFails(folder, `no split "train" in ${folder}: its splits are test, validation. Name one as ${folder}:test`);
    await assertReadFails(`${folder}:dev`, `no split "dev" in ${folder}: its splits are test, validation. Name one as ${folder}:test`);
  });

  test('Arrow: a file that is not Arrow is an error about the file', async () => {
    const path = writeText(dir, 'fake.arrow', 'not arrow');
    await assertReadFails(path, `invalid Arrow file ${path}: it is neither an Arrow IPC file nor an Arrow IPC stream`, { skipInvalid: true });
  });
});

describe('detectFormat', () => {
  test('detectFormat: by extension, and datasets folders as arrow', () => {
    const cases: [string, string][] = [
      ['a.jsonl', 'jsonl'],
      ['a.ndjson', 'jsonl'],
      ['a.json', 'json'],
      ['a.CSV', 'csv'],
      ['a.parquet', 'parquet'],
      ['a.arrow', 'arrow'],
    ];
    for (const [name, format] of cases) assert.equal(detectFormat(writeText(dir, name, '')), format);
    const folder = writeSavedDatasetDict(join(dir, 'dict3'), { train: authorsColumns(1) });
    assert.equal(detectFormat(folder), 'arrow');
    assert.equal(detectFormat(`${folder}:train`), 'arrow');
  });

  test('detectFormat: unknown extensions, plain folders and missing paths are DatasetErrors', () => {
    const txt = writeText(dir, 'a.txt', '');
    assert.throws(() => detectFormat(txt), {
      message: `unknown dataset format of ${txt}: expected .jsonl, .json, .csv, .parquet, .arrow or a Hugging Face datasets folder`,
    });
    const plain = join(dir, 'plain');
    mkdirSync(plain);
    assert.throws(() => detectFormat(plain), { message: `not a Hugging Face datasets folder: ${plain} has neither dataset_dict.json nor state.json` });
    assert.throws(() => detectFormat(join(dir, 'nope.jsonl')), { message: `dataset not found: ${join(dir, 'nope.jsonl')}` });
  });

  test('the format option overrides the extension', async () => {
    const path = writeJsonl(dir, 'export.txt', [{ prompt: 'Q', completion: 'A' }]);
    assert.equal((await readAll(path, { format: 'jsonl' })).records.length, 1);
  });
});
