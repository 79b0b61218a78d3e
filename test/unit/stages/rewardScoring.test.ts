// The reward_scoring stage: every reference sample and dataset completion scored by the run's reward source, each
// dataset record given the rewards of its prompt's first num_ref_rewards samples; pairs stay pairs; a stopped
// stage resumes to the uninterrupted output; reward.source column passes the dataset's own rewards through; a
// reward module runs only when the caller says the workspace is trusted.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promptKey, readDataset } from '../../../src/qrpo/data';
import { createRewardSource } from '../../../src/qrpo/reward';
import { referenceSamplingStage, rewardScoringStage, scoredFile, scoredSamplesFile, type ScoredReferenceSample } from '../../../src/qrpo/run/stages';
import { PAIRS, newRun, readLines, runStages, stageWorkspace, stoppedAfter } from './stageTestKit';

describe('reward_scoring stage', () => {
  test('scores reference samples and dataset completions with the reward model; ref_rewards are the first n samples\' rewards', async () => {
    const ws = await stageWorkspace();
    const folder = await newRun('num_ref_rewards: 2');
    await runStages(folder, [referenceSamplingStage(), rewardScoringStage({ trusted: false })]);
    const samples = readLines<ScoredReferenceSample>(scoredSamplesFile({ folder }));
    const rows = readLines(scoredFile({ folder }));
    assert.equal(samples.length, 12);
    assert.equal(rows.length, PAIRS.length, 'one row per pair');

    const model = await createRewardSource({ source: 'model', path: ws.rewardModel, column: null, batch_size: 1 }, { trusted: false });
    try {
      const direct = await model.score(samples.map((s) => ({ prompt: s.prompt, completion: s.completion })));
      samples.forEach((s, i) => assert.ok(Math.abs(s.reward - direct[i]) < 1e-5));
      const pairRewards = await model.score(PAIRS.flatMap((p) => [{ prompt: p.prompt, completion: p.chosen }, { prompt: p.prompt, completion: p.rejected }]));
      rows.forEach((row, i) => {
        assert.deepEqual([row.prompt, row.chosen, row.rejected], [PAIRS[i].prompt, PAIRS[i].chosen, PAIRS[i].rejected]);
        assert.ok(Math.abs((row.chosen_reward as number) - pairRewards[2 * i]) < 1e-5);
        assert.ok(Math.abs((row.rejected_reward as number) - pairRewards[2 * i + 1]) < 1e-5);
        const refs = samples.filter((s) => s.prompt_key === promptKey(PAIRS[i].prompt)).map((s) => s.reward);
        assert.deepEqual(row.ref_rewards, refs.slice(0, 2));
      });
    } finally {
      await model.dispose();
    }
    const records = [];
    for await (const record of readDataset(scoredFile({ folder }))) records.push(record);
    assert.deepEqual(records.slice(0, 2).map((r) => [r.side, r.pairId]), [['chosen', 0], ['rejected', 0]], 'the reader reads the pairs back as pairs');
  });

  test('a stage stopped after a batch resumes to exactly the uninterrupted output', async () => {
    const reference = await newRun('reward:\n  source: model\n  path: ' + (await stageWorkspace()).rewardModel + '\n  batch_size: 3');
    await runStages(reference, [referenceSamplingStage(), rewardScoringStage({ trusted: false })]);

    const folder = await newRun('reward:\n  source: model\n  path: ' + (await stageWorkspace()).rewardModel + '\n  batch_size: 3');
    const controller = new AbortController();
    const outcome = await runStages(folder, [referenceSamplingStage(), stoppedAfter(rewardScoringStage({ trusted: false }), 2, controller)], controller.signal);
    assert.equal(outcome.state, 'stopped');
    const journal = readLines(join(folder.stageDir('reward_scoring'), 'sample_rewards.partial.jsonl'));
    assert.equal(journal.length, 6, 'two batches of 3 were saved');
    await runStages(folder, [referenceSamplingStage(), rewardScoringStage({ trusted: false })]);
    for (const file of [scoredFile, scoredSamplesFile]) {
      assert.equal(readFileSync(file({ folder }), 'utf8'), readFileSync(file({ folder: reference }), 'utf8'));
    }
  });

  test('with reward.source column the dataset\'s rewards and ref_rewards pass through unscored', async () => {
    const ws = await stageWorkspace();
    const dataset = join(ws.dir, 'data', 'scored-pairs.jsonl');
    writeFileSync(dataset, PAIRS.map((p, i) => JSON.stringify({ ...p, score_chosen: i, score_rejected: -i, ref_rewards: [0.5, i, -1, 9], id: `row-${i}` })).join('\n') + '\n');
    const folder = await newRun('reward:\n  source: column', { dataset });
    await runStages(folder, [referenceSamplingStage(), rewardScoringStage({ trusted: false })]);
    const rows = readLines(scoredFile({ folder }));
    assert.deepEqual(rows[2], { id: 'row-2', prompt: PAIRS[2].prompt, chosen: PAIRS[2].chosen, rejected: PAIRS[2].rejected, chosen_reward: 2, rejected_reward: -2, ref_rewards: [0.5, 2, -1] });
  });

  test('with reward.source column and a dataset without rewards, QRPO stops naming the row', async () => {
    const folder = await newRun('reward:\n  source: column');
    await assert.rejects(runStages(folder, [referenceSamplingStage(), rewardScoringStage({ trusted: false })]), /missing reward \(reward.source is "column"\) in .*pairs\.jsonl line 1/);
  });

  test('a reward module scores in a trusted workspace and is refused otherwise', async () => {
    const ws = await stageWorkspace();
    const module = join(ws.dir, 'length-reward.mjs');
    writeFileSync(module, 'export function reward(prompt, completion) { return completion.length; }\n');
    const yaml = `reward:\n  source: module\n  path: ${module}`;
    const untrusted = await newRun(yaml);
    await assert.rejects(runStages(untrusted, [referenceSamplingStage(), rewardScoringStage({ trusted: false })]), /length-reward\.mjs was not loaded: running workspace code needs a trusted workspace/);
    const trusted = await newRun(yaml);
    await runStages(trusted, [referenceSamplingStage(), rewardScoringStage({ trusted: true })]);
    const samples = readLines<ScoredReferenceSample>(scoredSamplesFile({ folder: trusted }));
    assert.ok(samples.every((s) => s.reward === s.completion.length));
    assert.equal(readLines(scoredFile({ folder: trusted }))[0].chosen_reward, PAIRS[0].chosen.length);
  });
});
