// The reference_sampling stage: n samples per distinct prompt from π_ref with the configured sampling, each prompt
// drawing from its own seed; a stopped or killed stage resumes without drawing a finished prompt again and writes
// exactly what an uninterrupted one writes; a complete stage is skipped; reward.source column skips it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promptKey } from '../../../src/qrpo/data';
import { promptSeed, referenceSamplingStage, referenceSamplesFile, type ReferenceSample, type ReferenceSamplingSummary } from '../../../src/qrpo/run/stages';
import { readStageSummary } from '../../../src/qrpo/run/stages/stageSummary';
import { DISTINCT_PROMPTS, PAIRS, newRun, readLines, runStages, stoppedAfter } from './stageTestKit';

const samplesOf = (folder: Awaited<ReturnType<typeof newRun>>) => readLines<ReferenceSample>(referenceSamplesFile({ folder }));

describe('reference_sampling stage', () => {
  test('draws num_samples completions per distinct prompt, in prompt order, with log π_ref and the configured sampling', async () => {
    const folder = await newRun();
    await runStages(folder, [referenceSamplingStage()]);
    const samples = samplesOf(folder);
    const prompts = [...new Set(PAIRS.map((p) => p.prompt))];
    assert.equal(prompts.length, DISTINCT_PROMPTS);
    assert.equal(samples.length, DISTINCT_PROMPTS * 3);
    samples.forEach((sample, i) => {
      assert.equal(sample.prompt, prompts[Math.floor(i / 3)]);
      assert.equal(sample.prompt_key, promptKey(sample.prompt));
      assert.equal(sample.sample_index, i % 3);
      assert.equal(sample.seed, promptSeed(42, sample.prompt_key));
      assert.ok(sample.num_tokens >= 1 && sample.num_tokens <= 8);
      assert.ok(Number.isFinite(sample.logp) && sample.logp < 0);
      assert.ok(['eos', 'length'].includes(sample.finish_reason));
      assert.ok(sample.finish_reason === 'eos' || sample.num_tokens === 8);
    });
    const summary = (await readStageSummary<ReferenceSamplingSummary>(folder.stageDir('reference_sampling')))!;
    assert.deepEqual(summary.sampling, { temperature: 1, top_p: 1, top_k: 0, max_new_tokens: 8 });
    assert.equal(summary.samples, 12);
    assert.equal(summary.seed, 42);
  });

  test('temperature, top-k and seed come from the config', async () => {
    const greedy = await newRun('reference_sampling:\n  num_samples: 3\n  max_new_tokens: 8\n  top_k: 1\n  temperature: 0.7\n  top_p: 0.9');
    await runStages(greedy, [referenceSamplingStage()]);
    const samples = samplesOf(greedy);
    for (let i = 0; i < samples.length; i += 3) {
      assert.equal(new Set(samples.slice(i, i + 3).map((s) => s.completion)).size, 1, 'top-k 1 draws the same completion every time');
    }
    const summary = (await readStageSummary<ReferenceSamplingSummary>(greedy.stageDir('reference_sampling')))!;
    assert.deepEqual(summary.sampling, { temperature: 0.7, top_p: 0.9, top_k: 1, max_new_tokens: 8 });

    const [a, b, c] = [await newRun('seed: 7'), await newRun('seed: 7'), await newRun('seed: 8')];
    for (const folder of [a, b, c]) await runStages(folder, [referenceSamplingStage()]);
    assert.deepEqual(samplesOf(a), samplesOf(b), 'the same seed draws the same samples');
    assert.notDeepEqual(samplesOf(a).map((s) => s.completion), samplesOf(c).map((s) => s.completion), 'another seed draws others');
    assert.ok(samplesOf(c).every((s) => s.seed === promptSeed(8, s.prompt_key)));
  });

  test('a stage stopped midway, then torn by a kill, resumes to exactly the uninterrupted output', async () => {
    const uninterrupted = await newRun();
    await runStages(uninterrupted, [referenceSamplingStage()]);
    const expected = readFileSync(referenceSamplesFile({ folder: uninterrupted }), 'utf8');

    const folder = await newRun();
    const controller = new AbortController();
    const first = await runStages(folder, [stoppedAfter(referenceSamplingStage(), 2, controller)], controller.signal);
    assert.equal(first.state, 'stopped');
    const partial = samplesOf(folder);
    assert.equal(partial.length, 6, 'two whole prompts were written before the stop');
    assert.equal((await folder.readStatus())?.stages[0].state, 'stopped');
    assert.equal(existsSync(join(folder.stageDir('reference_sampling'), 'summary.json')), false);

    // A kill during the next prompt's write: one whole line of it, then a torn one.
    const third = readLines<ReferenceSample>(referenceSamplesFile({ folder: uninterrupted }))[6];
    appendFileSync(referenceSamplesFile({ folder }), `${JSON.stringify(third)}\n{"prompt_key":"tor`);
    let resumedPrompts = 0;
    const counting = referenceSamplingStage();
    await runStages(folder, [{ ...counting, run: (context) => {
      const advance = context.progress.advance.bind(context.progress);
      context.progress.advance = (n = 1) => { resumedPrompts++; advance(n); };
      return counting.run(context);
    } }]);
    assert.equal(resumedPrompts, 2, 'only the two unfinished prompts were drawn');
    assert.equal(readFileSync(referenceSamplesFile({ folder }), 'utf8'), expected);
    assert.equal((await folder.readStatus())?.stages[0].state, 'done');
  });

  test('a complete stage is skipped and its output left alone', async () => {
    const folder = await newRun();
    await runStages(folder, [referenceSamplingStage()]);
    const before = readFileSync(referenceSamplesFile({ folder }), 'utf8');
    let ran = false;
    const stage = referenceSamplingStage();
    await runStages(folder, [{ ...stage, run: async (context) => { ran = true; await stage.run(context); } }]);
    assert.equal(ran, false);
    assert.equal((await folder.readStatus())?.stages[0].skipped, true);
    assert.equal(readFileSync(referenceSamplesFile({ folder }), 'utf8'), before);
  });

  test('eval prompts are sampled too, after the training prompts', async () => {
    const ws = await (await import('./stageTestKit')).stageWorkspace();
    const evalFile = join(ws.dir, 'data', 'eval.jsonl');
    (await import('node:fs')).writeFileSync(evalFile, `${JSON.stringify({ prompt: 'A held-out prompt.' })}\n${JSON.stringify({ prompt: PAIRS[0].prompt })}\n`);
    const folder = await newRun(`eval_dataset_name: ${evalFile}`);
    await runStages(folder, [referenceSamplingStage()]);
    const samples = samplesOf(folder);
    assert.equal(samples.length, (DISTINCT_PROMPTS + 1) * 3);
    assert.equal(samples.at(-1)!.prompt, 'A held-out prompt.');
    const summary = (await readStageSummary<ReferenceSamplingSummary>(folder.stageDir('reference_sampling')))!;
    assert.deepEqual([summary.trainPrompts, summary.evalPrompts], [DISTINCT_PROMPTS, 1]);
  });

  test('with reward.source column it is skipped: the dataset carries the rewards', async () => {
    const folder = await newRun('reward:\n  source: column');
    await runStages(folder, [referenceSamplingStage()]);
    const status = await folder.readStatus();
    assert.deepEqual([status?.stages[0].state, status?.stages[0].skipped], ['done', true]);
    assert.equal(existsSync(referenceSamplesFile({ folder })), false);
  });
});
