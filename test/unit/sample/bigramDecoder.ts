// A real but simple decoder for sampler tests: a bigram table plus a per-position bias, built as an ONNX graph with
// src/qrpo/graph and run by onnxruntime through GraphSession. Its "KV cache" is the token ids seen so far, so a
// test can check that generation hands back exactly the cache it was given, grown by the fed tokens, and its
// logits depend on the last token's position id, so wrong positions under left padding change the samples.
import assert from 'node:assert/strict';
import { Graph, TO_END, add, concat, gather, slice, squeeze } from '../../../src/qrpo/graph';
import { GraphSession } from '../../../src/qrpo/runtime/session';
import type { DecoderStep } from '../../../src/qrpo/sample';

export interface BigramModel {
  readonly vocabSize: number;
  /** [V, V] row-major: logits of the next token after token i. */
  readonly table: Float32Array;
  /** [maxPositions, V]: added to the logits of the token after position p. */
  readonly positionBias: Float32Array;
  readonly maxPositions: number;
}

export interface BigramDecoder {
  readonly step: DecoderStep<BigInt64Array>;
  /** Every step's input, for assertions about padding, masks and positions. */
  readonly calls: { batchSize: number; newLength: number; pastLength: number; inputIds: bigint[]; attentionMask: bigint[]; positionIds: bigint[] }[];
  release(): Promise<void>;
}

export function bigramGraph(model: BigramModel): Graph {
  const g = new Graph();
  const inputIds = g.input('input_ids', 'int64', ['batch', 'new']);
  const positionIds = g.input('position_ids', 'int64', ['batch', 'new']);
  const pastIds = g.input('past_ids', 'int64', ['batch', 'past']);
  const table = g.constant(model.table, [model.vocabSize, model.vocabSize]);
  const bias = g.constant(model.positionBias, [model.maxPositions, model.vocabSize]);
  const lastId = squeeze(slice(inputIds, [1], [-1], [TO_END]), [1]);
  const lastPosition = squeeze(slice(positionIds, [1], [-1], [TO_END]), [1]);
  g.output('logits', add(gather(table, lastId), gather(bias, lastPosition)));
  g.output('present_ids', concat([pastIds, inputIds], 1));
  return g;
}

/**
 * A DecoderStep over the bigram graph that also checks the contract every step: the mask covers past + new
 * tokens, the cache has the past length, and each real token's position counts the real tokens before it.
 */
export async function bigramDecoder(model: BigramModel): Promise<BigramDecoder> {
  const session = await GraphSession.create(bigramGraph(model), { threads: 1 });
  const calls: BigramDecoder['calls'] = [];
  const step: DecoderStep<BigInt64Array> = async (input) => {
    const { batchSize: b, newLength: n, pastLength: p } = input;
    calls.push({ ...input, inputIds: [...input.inputIds], attentionMask: [...input.attentionMask], positionIds: [...input.positionIds] });
    assert.equal(input.inputIds.length, b * n);
    assert.equal(input.positionIds.length, b * n);
    assert.equal(input.attentionMask.length, b * (p + n));
    assert.equal(input.past?.length ?? 0, b * p);
    for (let row = 0; row < b; row++) {
      const mask = input.attentionMask.subarray(row * (p + n), (row + 1) * (p + n));
      for (let j = 0; j < n; j++) {
        if (mask[p + j] === 0n) continue;
        const realBefore = mask.subarray(0, p + j).reduce((sum, m) => sum + m, 0n);
        assert.equal(input.positionIds[row * n + j], realBefore, `row ${row} token ${j}: position id is the count of real tokens before it`);
      }
    }
    const out = await session.run({
      input_ids: { data: input.inputIds, dims: [b, n] },
      position_ids: { data: input.positionIds, dims: [b, n] },
      past_ids: { data: input.past ?? new BigInt64Array(0), dims: [b, p] },
    });
    return { logits: out.logits.data as Float32Array, vocabSize: model.vocabSize, present: out.present_ids.data as BigInt64Array };
  };
  return { step, calls, release: () => session.release() };
}

/** A bigram model with seeded logits in [−scale, scale] and a small position bias. */
export function randomBigram(vocabSize: number, seed: number, scale = 2, maxPositions = 64): BigramModel {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const table = Float32Array.from({ length: vocabSize * vocabSize }, () => scale * (2 * uniform() - 1));
  const positionBias = Float32Array.from({ length: maxPositions * vocabSize }, () => 0.5 * (2 * uniform() - 1));
  return { vocabSize, table, positionBias, maxPositions };
}
