// End to end: a one-block GPT-2-like model with a Llama RMSNorm before the tied head, scored into per-sample
// log-probs and a QRPO squared loss (vjp.md "Losses"), differentiated with respect to every parameter at once.
import { describe } from 'node:test';
import {
  Tensor,
  add,
  gather,
  gatherElements,
  geluTanh,
  layerNorm,
  logSoftmax,
  matmul,
  mul,
  reduceMean,
  reduceSum,
  reshape,
  rmsNorm,
  slice,
  softmax,
  squeeze,
  sub,
  transpose,
  transposeLastTwo,
  where,
} from '../../../src/qrpo/graph';
import { CheckedInput, FloatDType, gradTest } from './gradcheck';

const [B, T, V, D, H, MLP] = [2, 4, 7, 8, 2, 12];
const HEAD = D / H;
const BETA = 0.5;

const causalMask = Array.from({ length: T * T }, (_, i) => (i % T <= Math.floor(i / T) ? 1 : 0));

function inputs(): CheckedInput[] {
  const weight = (name: string, shape: number[], range: [number, number] = [-0.5, 0.5]): CheckedInput => ({ name, shape, range });
  return [
    { name: 'ids', shape: [B, T], declaredShape: ['batch', T], dtype: 'int64', values: [1, 4, 4, 6, 0, 2, 5, 1] },
    { name: 'labels', shape: [B, T, 1], declaredShape: ['batch', T, 1], dtype: 'int64', values: [4, 4, 6, 3, 2, 5, 1, 1] },
    // Upstream token weights: 0 on the prompt token, 1 on the completion (vjp.md: g_t is 0 for prompt and pad tokens).
    { name: 'tokenWeights', shape: [B, T], declaredShape: ['batch', T], values: [0, 1, 1, 1, 0, 1, 1, 0], differentiate: false },
    { name: 'targets', shape: [B], declaredShape: ['batch'], values: [0.3, -0.2], differentiate: false },
    { name: 'refLogps', shape: [B], declaredShape: ['batch'], values: [-6, -5], differentiate: false },
    { name: 'causalMask', shape: [T, T], dtype: 'bool', values: causalMask },
    weight('wte', [V, D], [-1, 1]),
    weight('wpe', [T, D]),
    weight('ln1Scale', [D], [0.5, 1.5]),
    weight('ln1Bias', [D]),
    weight('wQkv', [D, 3 * D]),
    weight('bQkv', [3 * D]),
    weight('wO', [D, D]),
    weight('bO', [D]),
    weight('ln2Scale', [D], [0.5, 1.5]),
    weight('ln2Bias', [D]),
    weight('wFc', [D, MLP]),
    weight('bFc', [MLP]),
    weight('wProj', [MLP, D]),
    weight('bProj', [D]),
    weight('rmsWeight', [D], [0.5, 1.5]),
  ];
}

/** [batch, T, D] → [batch, H, T, HEAD]. */
function splitHeads(x: Tensor): Tensor {
  return transpose(reshape(x, [0, 0, H, HEAD]), [0, 2, 1, 3]);
}

function qrpoLoss(...t: Tensor[]): Tensor {
  const [ids, labels, tokenWeights, targets, refLogps, mask, wte, wpe, ln1Scale, ln1Bias, wQkv, bQkv, wO, bO, ln2Scale, ln2Bias, wFc, bFc, wProj, bProj, rmsWeight] = t;
  const x = add(gather(wte, ids), wpe);

  const qkv = add(matmul(layerNorm(x, ln1Scale, ln1Bias), wQkv), bQkv);
  const [q, k, v] = [0, 1, 2].map((i) => splitHeads(slice(qkv, [-1], [i * D], [(i + 1) * D])));
  const scores = where(mask, mul(matmul(q, transposeLastTwo(k)), 1 / Math.sqrt(HEAD)), -1e9);
  const attention = reshape(transpose(matmul(softmax(scores), v), [0, 2, 1, 3]), [0, 0, D]);
  const x2 = add(x, add(matmul(attention, wO), bO));

  const mlp = add(matmul(geluTanh(add(matmul(layerNorm(x2, ln2Scale, ln2Bias), wFc), bFc)), wProj), bProj);
  const hidden = rmsNorm(add(x2, mlp), rmsWeight);
  const logits = matmul(hidden, transpose(wte)); // tied head: ∂wte collects the head's and the embedding's parts

  const tokenLogps = squeeze(gatherElements(logSoftmax(logits), labels, -1), [-1]);
  const sequenceLogps = reduceSum(mul(tokenLogps, tokenWeights), [1]);
  const residual = sub(targets, mul(sub(sequenceLogps, refLogps), BETA));
  return reduceMean(mul(residual, residual));
}

function check(dtype: FloatDType, tolerance: number): void {
  gradTest(`every parameter's gradient matches central differences (${dtype})`, { dtype, inputs: inputs(), build: qrpoLoss, scalar: true, tolerance });
}

describe('a one-block transformer with a QRPO loss', () => {
  check('float64', 1e-6);
  check('float32', 1e-2);
});
