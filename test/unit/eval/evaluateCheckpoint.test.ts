// evaluateCheckpoint on tiny GPT-2 folders: real sampling and scoring graphs, a deterministic text reward.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promptKey } from '../../../src/qrpo/data';
import {
  evalSplitOf,
  evaluateCheckpoint,
  readEvalSamples,
  readEvalSummary,
  writeEvalFolder,
  type CheckpointEvaluation,
  type EvalPrompt,
} from '../../../src/qrpo/eval';
import { klEstimates, lengthControlledReward, linearFit, mean, quantileReward, spearman } from '../../../src/qrpo/math';
import { generate, loadGenerator, type GeneratedSequence } from '../../../src/qrpo/sample';
import { copyModel, evalModel, PROMPTS, scratch, textReward, textRewardSource } from './evalFixtures';

const MAX_NEW_TOKENS = 12;
const REF_SEED = 5;
const NUM_REF = 16;

/** Samples a model's completions as the reference-sampling stage does, with their text and reward. */
async function sampleWith(dir: string, seed: number, n: number): Promise<{ sequences: GeneratedSequence[]; texts: string[] }> {
  const { tokenizer, decoder } = await loadGenerator(dir);
  try {
    const sequences = await generate(decoder.step, {
      prompts: PROMPTS.map((p) => tokenizer.encode(p)),
      numReturnSequences: n,
      maxNewTokens: MAX_NEW_TOKENS,
      sampling: { temperature: 1 },
      seed,
      eosTokenIds: tokenizer.eosTokenIds,
      padTokenId: tokenizer.padTokenId ?? 0,
    });
    const eos = new Set(tokenizer.eosTokenIds);
    const texts = sequences.map((s) => tokenizer.decode(s.finishReason === 'eos' && eos.has(s.tokenIds.at(-1)!) ? s.tokenIds.slice(0, -1) : s.tokenIds, { skipSpecialTokens: true }));
    return { sequences, texts };
  } finally {
    await decoder.release();
  }
}

let refDir: string;
let prompts: EvalPrompt[];

before(async () => {
  refDir = await evalModel(1);
  const { sequences, texts } = await sampleWith(refDir, REF_SEED, NUM_REF);
  prompts = PROMPTS.map((prompt, p) => {
    const own = sequences.map((s, i) => ({ s, i })).filter(({ s }) => s.promptIndex === p);
    return { prompt, refRewards: own.map(({ i }) => textReward(texts[i])), refLengths: own.map(({ s }) => s.tokenIds.length) };
  });
});

function evaluate(policyDir: string, seed: number, samplesPerPrompt: number, selectionSplit = 0.5): Promise<CheckpointEvaluation> {
  return evaluateCheckpoint({
    policyDir,
    refDir,
    prompts,
    rewardSource: textRewardSource,
    sampling: { maxNewTokens: MAX_NEW_TOKENS, seed },
    samplesPerPrompt,
    selectionSplit,
    step: 7,
  });
}

describe('evaluateCheckpoint', () => {
  test('the reference policy on its own reference samples: the same samples, rewards and lengths; KL exactly 0', async () => {
    const policy = copyModel(refDir, 'ref-copy-a');
    const { samples, summary } = await evaluate(policy, REF_SEED, NUM_REF, 0);
    PROMPTS.forEach((_, p) => {
      const own = samples.filter((s) => s.prompt === PROMPTS[p]);
      assert.deepEqual(own.map((s) => s.reward), prompts[p].refRewards);
      assert.deepEqual(own.map((s) => s.length), prompts[p].refLengths);
    });
    assert.ok(samples.every((s) => s.implicit_reward === 0 && s.logp_policy === s.logp_ref), 'two scoring graphs of the same weights agree exactly');
    const all = summary.splits.all!;
    assert.deepEqual(all.kl, { k1: { perSequence: 0, perToken: 0 }, k3: { perSequence: 0, perToken: 0 } });
    // Each prompt's quantiles are its rewards' ranks among themselves (ties, from equal texts, share the top rank):
    // mean (n + 1)/2n with distinct rewards, more with ties.
    const ranks = prompts.flatMap((p) => p.refRewards.map((r) => p.refRewards.filter((other) => other <= r).length / NUM_REF));
    assert.ok(Math.abs(all.meanQuantile - mean(ranks)) < 1e-12);
    assert.ok(all.meanQuantile >= (NUM_REF + 1) / (2 * NUM_REF) - 1e-12);
    assert.equal(summary.splits.selection, null, 'selection_split 0 reports on every prompt');
    assert.deepEqual(summary.splits.reporting, all);
  });

  test('the reference policy with fresh samples: mean quantile ≈ 0.5, histogram spread over [0, 1], KL exactly 0 per token', async () => {
    const policy = copyModel(refDir, 'ref-copy-b');
    const { summary, samples } = await evaluate(policy, 99, NUM_REF, 0);
    const all = summary.splits.all!;
    assert.ok(Math.abs(all.meanQuantile - 0.5) < 0.08, `mean quantile ${all.meanQuantile}`);
    assert.ok(Math.abs(all.meanReward - all.meanRefReward) < 0.1, `${all.meanReward} vs reference ${all.meanRefReward}`);
    assert.ok(all.quantileHistogram.filter((count) => count > 0).length >= 10);
    assert.equal(all.kl.k1.perToken, 0);
    assert.equal(all.kl.k3.perToken, 0);
    assert.ok(samples.every((s) => s.implicit_reward === 0));
  });

  test('a different policy: log πθ matches sampling, KL > 0, and every summary number is the math module\'s on samples.jsonl', async () => {
    const policyDir = await evalModel(3);
    const seed = 11;
    const evaluation = await evaluate(policyDir, seed, 6);
    const { samples, summary } = evaluation;
    assert.equal(samples.length, PROMPTS.length * 6);
    assert.equal(summary.step, 7);
    assert.deepEqual(summary.sampling, { temperature: 1, topP: 1, topK: 0, maxNewTokens: MAX_NEW_TOKENS, seed });

    // The scoring graph's log πθ of each sampled completion equals what the decoding graph reported while sampling.
    const sampled = await sampleWith(policyDir, seed, 6);
    samples.forEach((row, i) => {
      const fromSampling = sampled.sequences[i].modelLogProbs.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(row.logp_policy - fromSampling) < 1e-4, `${row.logp_policy} vs ${fromSampling}`);
      assert.equal(row.length, sampled.sequences[i].tokenIds.length);
      assert.equal(row.completion, sampled.texts[i]);
    });

    // Written and read back, then recomputed from the file's numbers alone.
    const dir = join(scratch, 'evals', '7');
    await writeEvalFolder(dir, evaluation);
    const rows = await readEvalSamples(dir);
    const written = (await readEvalSummary(dir))!;
    assert.deepEqual(written, JSON.parse(JSON.stringify(summary)));
    const refOf = new Map(prompts.map((p) => [promptKey(p.prompt), p]));
    for (const row of rows) {
      assert.equal(row.split, evalSplitOf(row.prompt_key, 0.5));
      assert.equal(row.quantile, quantileReward(refOf.get(row.prompt_key)!.refRewards, row.reward));
      assert.equal(row.reward, textReward(row.completion));
      assert.equal(row.implicit_reward, row.logp_policy - row.logp_ref);
    }
    assert.ok(new Set(rows.map((r) => r.split)).size === 2, 'both splits have prompts');
    for (const split of ['selection', 'reporting', 'all'] as const) {
      const chosen = rows.filter((r) => split === 'all' || r.split === split);
      const s = written.splits[split]!;
      assert.equal(s.samples, chosen.length);
      assert.ok(Math.abs(s.meanReward - mean(chosen.map((r) => r.reward))) < 1e-12);
      assert.ok(Math.abs(s.meanQuantile - mean(chosen.map((r) => r.quantile))) < 1e-12);
      assert.ok(Math.abs(s.meanLength - mean(chosen.map((r) => r.length))) < 1e-12);
      const lc = lengthControlledReward(chosen.map((r) => ({ reward: r.reward, length: r.length, refRewards: refOf.get(r.prompt_key)!.refRewards, refLengths: refOf.get(r.prompt_key)!.refLengths })));
      assert.ok(Math.abs(s.lcReward.slope - lc.slope) < 1e-12);
      if (split !== 'all') chosen.forEach((r, k) => assert.ok(Math.abs(r.lc_reward - lc.lcRewards[k]) < 1e-12));
      const points = chosen.filter((r) => r.length_z !== null);
      const x = points.map((r) => r.length_z!);
      const y = points.map((r) => r.implicit_reward);
      const fit = linearFit(x, y);
      assert.ok(Math.abs(s.lengthBias!.slope - fit.slope) < 1e-9 && Math.abs(s.lengthBias!.spearman - spearman(x, y)) < 1e-12);
      // k1 per sequence needs only the summed log-probs, so the file alone reproduces it.
      const k1 = klEstimates({ policyTokenLogps: chosen.map((r) => [r.logp_policy]), refTokenLogps: chosen.map((r) => [r.logp_ref]) }).k1.perSequence;
      assert.ok(Math.abs(s.kl.k1.perSequence - k1) < 1e-9);
      assert.ok(s.kl.k3.perToken > 0 && s.kl.k3.perSequence > 0);
    }
  });

  test('the same seed gives the same evaluation; evaluations of different checkpoints share random streams', async () => {
    const a = await evaluate(await evalModel(3), 11, 2);
    const b = await evaluate(await evalModel(3), 11, 2);
    assert.deepEqual(a.samples, b.samples);
    assert.deepEqual(a.summary.splits, b.summary.splits);
  });
});

describe('evaluation folder', () => {
  const evaluation: CheckpointEvaluation = {
    samples: [],
    summary: { step: 3, policy: '/p', reference: '/r', createdAt: 'now', seconds: 1, prompts: 0, samplesPerPrompt: 1, selectionSplit: 0.5, sampling: { temperature: 1, topP: 1, topK: 0, maxNewTokens: 4, seed: 0 }, splits: { selection: null, reporting: null, all: null } },
  };

  test('appears whole: a failed write leaves the previous evaluation and no temporary folder', async () => {
    const parent = join(scratch, 'atomic-evals');
    const dir = join(parent, '3');
    await writeEvalFolder(dir, evaluation);
    assert.equal((await readEvalSummary(dir))!.step, 3);
    const broken = { ...evaluation, summary: { ...evaluation.summary, step: 4, seconds: 10n as unknown as number } };
    await assert.rejects(writeEvalFolder(dir, broken), /BigInt/);
    assert.equal((await readEvalSummary(dir))!.step, 3);
    assert.deepEqual(readdirSync(parent), ['3']);
    assert.equal(readFileSync(join(dir, 'samples.jsonl'), 'utf8'), '');
  });

  test('a killed writer\'s partial folder is not an evaluation, and the next write clears it', async () => {
    const parent = join(scratch, 'killed-evals');
    const partial = join(parent, '.5.partial-4242');
    mkdirSync(partial, { recursive: true });
    assert.equal(await readEvalSummary(join(parent, '5')), undefined);
    await writeEvalFolder(join(parent, '5'), evaluation);
    assert.ok(!existsSync(partial));
    assert.deepEqual(readdirSync(parent), ['5']);
  });
});
