// `qrpo prepare` end to end: the built CLI on the bundled sample and on broken inputs, as a user runs it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { logPartition, quantileReward } from '../../../src/qrpo/math';

const root = resolve(__dirname, '../../../..');
const cli = join(root, 'dist/cli.js');
const sample = join(root, 'samples/helpfulness-pairs.jsonl');

function qrpo(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function readJsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'qrpo-prepare-'));
}

describe('qrpo prepare', () => {
  test('writes every completion of the sample with its quantile and target', () => {
    const out = join(scratch(), 'prepared.jsonl');
    const result = qrpo('prepare', sample, '--beta', '0.1', '--transform', 'identity', '--num-ref', '8', '--out', out);
    assert.equal(result.code, 0, result.stderr);
    const rows = readJsonl(out);
    const pairs = readFileSync(sample, 'utf8').trim().split('\n').length;
    assert.equal(rows.length, 2 * pairs);
    const betaLogZ = 0.1 * logPartition('identity', 0.1);
    for (const row of rows) {
      const q = quantileReward(row.ref_rewards as number[], row.reward as number);
      assert.equal(row.quantile, q);
      assert.equal(row.transformed_reward, q);
      assert.ok(Math.abs((row.target as number) - (q - betaLogZ)) < 1e-12);
      assert.ok(row.side === 'chosen' || row.side === 'rejected');
    }
    assert.match(result.stdout, new RegExp(`prepared ${2 * pairs} records from ${pairs} prompts`));
    assert.match(result.stdout, /quantile histogram:/);
    assert.match(result.stdout, /log Z \(exact\) = 7\.697369506/);
    const summary = JSON.parse(readFileSync(join(dirname(out), 'prepared.summary.json'), 'utf8'));
    assert.equal(summary.records, rows.length);
    assert.equal(summary.beta, 0.1);
    assert.equal(summary.numRef, 8);
    assert.ok(Math.abs(summary.logZ - 7.697369506) < 1e-9);
  });

  test('--json prints a summary event whose histogram counts every record', () => {
    const out = join(scratch(), 'prepared.jsonl');
    const result = qrpo('prepare', sample, '--beta', '1', '--transform', 'log', '--out', out, '--json', '--log-z', 'simplified');
    assert.equal(result.code, 0, result.stderr);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    const summary = events.at(-1);
    assert.equal(summary.event, 'summary');
    assert.equal(summary.transform, 'log');
    assert.ok(Math.abs(summary.logZ - -0.6931471806) < 1e-9);
    assert.equal(summary.histogram.reduce((a: number, b: number) => a + b, 0), summary.records);
    assert.equal(summary.records, readJsonl(out).length);
  });

  test('a misspelt option is named with the closest valid one', () => {
    const result = qrpo('prepare', sample, '--bta', '0.1', '--transform', 'identity', '--out', '/tmp/x.jsonl');
    assert.equal(result.code, 2);
    assert.equal(result.stderr.trim(), "qrpo: error: unknown option --bta for 'qrpo prepare'. Did you mean --beta?");
  });

  test('an unknown transform lists the valid ones', () => {
    const result = qrpo('prepare', sample, '--beta', '0.1', '--transform', 'logg', '--out', '/tmp/x.jsonl');
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr.trim(),
      "qrpo: error: --transform must be one of identity, log, sqrt, square, normal-icdf, scaled-normal-icdf, got 'logg'. Did you mean 'log'?",
    );
  });

  test('a non-positive beta is refused before reading the dataset', () => {
    const result = qrpo('prepare', 'does-not-exist.jsonl', '--beta', '-1', '--transform', 'identity', '--out', '/tmp/x.jsonl');
    assert.equal(result.code, 2);
    assert.equal(result.stderr.trim(), "qrpo: error: --beta must be a positive number, got '-1'");
  });

  test('a bad row stops the run, names file and line, and leaves the previous output intact', () => {
    const dir = scratch();
    const dataset = join(dir, 'scores.jsonl');
    writeFileSync(dataset, [
      JSON.stringify({ prompt: 'a', completion: 'b', reward: 0.5, ref_rewards: [0.1, 0.9] }),
      JSON.stringify({ prompt: 'a', completion: 'c', reward: 0.2, ref_rewards: [0.1, 0.9] }),
      '{"prompt": "a", "completion": "d", "reward": "NaN", "ref_rewards": [0.1, 0.9]}',
    ].join('\n'));
    const out = join(dir, 'prepared.jsonl');
    writeFileSync(out, 'previous contents\n');
    const result = qrpo('prepare', dataset, '--beta', '0.1', '--transform', 'identity', '--out', out);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^qrpo: error: .*NaN.* in .*scores\.jsonl line 3 \(field "reward"\)/);
    assert.equal(readFileSync(out, 'utf8'), 'previous contents\n');
    assert.deepEqual(readdirSync(dir).sort(), ['prepared.jsonl', 'scores.jsonl'], 'no temporary or summary file is left behind');
  });

  test('--skip-invalid counts bad rows and keeps the good ones', () => {
    const dir = scratch();
    const dataset = join(dir, 'scores.jsonl');
    writeFileSync(dataset, [
      JSON.stringify({ prompt: 'a', completion: 'b', reward: 0.5, ref_rewards: [0.1, 0.9] }),
      '{"prompt": "a", "completion": ',
      JSON.stringify({ prompt: 'a', completion: 'c' }),
      JSON.stringify({ prompt: 'a', completion: 'd', reward: 1, ref_rewards: [0.1, 0.9] }),
    ].join('\n'));
    const out = join(dir, 'prepared.jsonl');
    const result = qrpo('prepare', dataset, '--beta', '0.1', '--transform', 'identity', '--out', out, '--skip-invalid', '--json');
    assert.equal(result.code, 0, result.stderr);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    const invalid = events.filter((e) => e.event === 'invalid');
    assert.equal(invalid.length, 2);
    assert.match(invalid[0].message, /line 2/);
    assert.equal(invalid[1].message, `missing reward in ${dataset} line 3 (field "reward"). Quantile rewards need a reward per completion: score the dataset first`);
    assert.deepEqual(readJsonl(out).map((row) => row.quantile), [0.5, 1]);
  });

  test('the log transform with one reference reward is refused as degenerate', () => {
    const result = qrpo('prepare', sample, '--beta', '0.1', '--transform', 'log', '--num-ref', '1', '--out', join(scratch(), 'o.jsonl'));
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^qrpo: error: .*log.*/);
  });

  test('scaled-normal-icdf scales each prompt by its reference spread', () => {
    const out = join(scratch(), 'prepared.jsonl');
    const result = qrpo('prepare', sample, '--beta', '0.5', '--transform', 'scaled-normal-icdf', '--out', out);
    assert.equal(result.code, 0, result.stderr);
    const rows = readJsonl(out);
    assert.equal(rows.length, 48);
    for (const row of rows) assert.ok(Number.isFinite(row.target));
  });
});
