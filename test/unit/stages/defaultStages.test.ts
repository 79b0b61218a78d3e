// The data stages wired by defaultStages: offline QRPO from sampling to reference log-probs, what training reads
// (readTrainingRecords → trainingExamples), skipping a finished run, off-policy pairs built from the reference
// samples, reward.source column, and reference_logps resuming after a stop.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promptKey, type PointwiseRecord } from '../../../src/qrpo/data';
import { loadModelWeights, readDecoderConfig } from '../../../src/qrpo/model';
import { buildScoringGraph, packScoringBatch, scoringFeeds } from '../../../src/qrpo/model/graphs';
import { loadTokenizer } from '../../../src/qrpo/model/tokenizer';
import { GraphSession } from '../../../src/qrpo/runtime';
import { recordTokenizer } from '../../../src/qrpo/train/modelTraining/recordTokens';
import { trainingExamples } from '../../../src/qrpo/train/modelTraining/trainingExamples';
import { writePreparedFile } from '../../../src/qrpo/run/preparedFile';
import {
  defaultStages,
  preparedFile,
  readTrainingRecords,
  referenceLogpsFile,
  referenceLogpsStage,
  runTokenLimits,
  scoredSamplesFile,
  trainingDataFile,
  type ScoredReferenceSample,
} from '../../../src/qrpo/run/stages';
import { PAIRS, newRun, readLines, runStages, stageWorkspace, stoppedAfter } from './stageTestKit';

async function trainingRecordsOf(file: string) {
  const records = [];
  for await (const record of readTrainingRecords(file)) records.push(record);
  return records;
}

/** log π_ref of one record on its own (batch of one), by the scoring graph, as an independent check of the batched stage. */
async function refLogpAlone(modelDir: string, records: PointwiseRecord[], limits: ReturnType<typeof runTokenLimits>): Promise<number[]> {
  const config = await readDecoderConfig(modelDir);
  const tokenizer = await loadTokenizer(modelDir);
  const tokens = recordTokenizer(tokenizer, config, limits);
  const session = await GraphSession.create(buildScoringGraph(config, await loadModelWeights(modelDir, config, { tokenizerVocabSize: tokenizer.vocabSize })).graph);
  try {
    const logps = [];
    for (const record of records) {
      const { promptIds, completionIds } = tokens.encode(record);
      const out = await session.run(scoringFeeds(packScoringBatch([{ prompt: promptIds, completion: completionIds }])));
      logps.push(Number(out.logp.data[0]));
    }
    return logps;
  } finally {
    await session.release();
  }
}

describe('default data stages', () => {
  test('offline QRPO: sampling, scoring, quantiles and reference log-probs, in that order, give what training reads', async () => {
    const ws = await stageWorkspace();
    const folder = await newRun();
    const config = await folder.config();
    const stages = defaultStages(config, { trusted: false });
    assert.deepEqual(stages.map((s) => s.name), ['reference_sampling', 'reward_scoring', 'quantiles', 'reference_logps']);
    await runStages(folder, stages);

    const prepared = readLines(preparedFile({ folder }));
    assert.equal(prepared.length, 2 * PAIRS.length);
    const samples = readLines<ScoredReferenceSample>(scoredSamplesFile({ folder }));
    for (const row of prepared) {
      const refs = samples.filter((s) => s.prompt_key === promptKey(row.prompt as string)).map((s) => s.reward);
      assert.deepEqual(row.ref_rewards, refs.slice(0, 3));
      assert.equal(row.quantile, refs.filter((r) => r <= (row.reward as number)).length / 3);
    }

    const records = await trainingRecordsOf(referenceLogpsFile({ folder }));
    assert.equal(records.length, 2 * PAIRS.length);
    assert.deepEqual(records.slice(0, 2).map((r) => [r.record.side, r.record.pairId]), [['chosen', 0], ['rejected', 0]]);
    records.forEach((r, i) => {
      assert.equal(r.target, prepared[i].target);
      assert.equal(r.quantile, prepared[i].quantile);
      assert.ok(Number.isFinite(r.refLogp) && r.refLogp! < 0);
    });
    const alone = await refLogpAlone(ws.policy, records.map((r) => r.record), runTokenLimits(config));
    records.forEach((r, i) => assert.ok(Math.abs(r.refLogp! - alone[i]) < 1e-4, `record ${i}: batched ${r.refLogp}, alone ${alone[i]}`));

    const modelConfig = await readDecoderConfig(ws.policy);
    const tokens = recordTokenizer(await loadTokenizer(ws.policy), modelConfig, runTokenLimits(config));
    const examples = trainingExamples(records, 'qrpo', tokens);
    assert.equal(examples.length, PAIRS.length);
    assert.ok(examples.every((e) => e.kind === 'pair'));

    // A second run of the same stages finds every output complete and touches nothing.
    const files = [scoredSamplesFile({ folder }), preparedFile({ folder }), referenceLogpsFile({ folder })];
    const mtimes = files.map((f) => statSync(f).mtimeMs);
    await runStages(folder, defaultStages(config, { trusted: false }));
    const status = await folder.readStatus();
    assert.ok(status?.stages.every((s) => s.state === 'done' && s.skipped === true));
    assert.deepEqual(files.map((f) => statSync(f).mtimeMs), mtimes);
  });

  test('off-policy best/worst: one pair per training prompt, the best and the worst reference sample by reward', async () => {
    const folder = await newRun('training_data: off-policy-best-worst');
    const stages = defaultStages(await folder.config(), { trusted: false });
    assert.deepEqual(stages.map((s) => s.name), ['reference_sampling', 'reward_scoring', 'training_data', 'quantiles', 'reference_logps']);
    await runStages(folder, stages);
    const samples = readLines<ScoredReferenceSample>(scoredSamplesFile({ folder }));
    const pairs = readLines(trainingDataFile({ folder }));
    assert.equal(pairs.length, 4);
    for (const pair of pairs) {
      const own = samples.filter((s) => s.prompt_key === promptKey(pair.prompt as string) && s.completion.length > 0);
      const rewards = own.map((s) => s.reward);
      assert.equal(pair.chosen_reward, Math.max(...rewards));
      assert.equal(pair.rejected_reward, Math.min(...rewards));
      assert.equal(pair.chosen, own.find((s) => s.sample_index === pair.chosen_sample_index)!.completion);
      assert.deepEqual(pair.ref_rewards, samples.filter((s) => s.prompt_key === promptKey(pair.prompt as string)).slice(0, 3).map((s) => s.reward));
    }
    assert.equal(readLines(preparedFile({ folder })).length, 8, 'the quantiles stage read the off-policy pairs');
    assert.equal(readLines(referenceLogpsFile({ folder })).length, 8);
  });

  test('off-policy random pairs are two distinct samples, the better one chosen, the same on every run', async () => {
    const runs = [await newRun('training_data: off-policy-random-pairs'), await newRun('training_data: off-policy-random-pairs')];
    for (const folder of runs) await runStages(folder, defaultStages(await folder.config(), { trusted: false }).slice(0, 3));
    const [a, b] = runs.map((folder) => readFileSync(trainingDataFile({ folder }), 'utf8'));
    assert.equal(a, b);
    for (const pair of readLines(trainingDataFile({ folder: runs[0] }))) {
      assert.notEqual(pair.chosen_sample_index, pair.rejected_sample_index);
      assert.ok((pair.chosen_reward as number) >= (pair.rejected_reward as number));
    }
  });

  test('reward.source column: no sampling, the dataset\'s rewards go straight to the quantiles', async () => {
    const ws = await stageWorkspace();
    const dataset = join(ws.dir, 'data', 'column-pairs.jsonl');
    writeFileSync(dataset, PAIRS.map((p, i) => JSON.stringify({ ...p, score_chosen: i / 4, score_rejected: -i / 4, ref_rewards: [0.1, 0.2, 0.6, 0.9] })).join('\n') + '\n');
    const folder = await newRun('reward:\n  source: column', { dataset });
    const config = await folder.config();
    await runStages(folder, defaultStages(config, { trusted: false }));
    assert.equal((await folder.readStatus())?.stages[0].skipped, true);
    const direct = join(ws.dir, 'direct.prepared.jsonl');
    await writePreparedFile(dataset, direct, { beta: config.beta, transform: config.qrpo_transform_type, numRef: 3, logZMode: config.log_z });
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ quantile, target, reward, ref_rewards }) => ({ quantile, target, reward, ref_rewards }));
    assert.deepEqual(strip(readLines(preparedFile({ folder }))), strip(readLines(direct)));
  });

  test('reference_logps stopped after a batch resumes without duplicate or missing lines', async () => {
    const reference = await newRun();
    const config = await reference.config();
    await runStages(reference, defaultStages(config, { trusted: false }));
    const folder = await newRun();
    const controller = new AbortController();
    const stages = defaultStages(await folder.config(), { trusted: false });
    const logps = stages.pop()!;
    const first = await runStages(folder, [...stages, stoppedAfter(logps, 2, controller)], controller.signal);
    assert.equal(first.state, 'stopped');
    assert.equal(readLines(join(folder.stageDir('reference_logps'), 'train.partial.jsonl')).length, 4, 'two batches of 2');
    await runStages(folder, defaultStages(await folder.config(), { trusted: false }));
    assert.equal(readFileSync(referenceLogpsFile({ folder }), 'utf8'), readFileSync(referenceLogpsFile({ folder: reference }), 'utf8'));
    assert.equal(referenceLogpsStage({ input: preparedFile }).name, 'reference_logps');
  });
});
