// Rotary position embeddings as transformers' Llama computes them: inv_freq_j = 1/θ^(2j/Dh) in float32,
// angles = position · inv_freq, emb = [angles, angles], x' = x·cos(emb) + rotate_half(x)·sin(emb) with
// rotate_half([a, b]) = [−b, a] over the two halves of the head (not interleaved pairs). `rope_scaling` types
// `linear` and `llama3` adjust inv_freq as transformers' _compute_*_parameters do; others are refused.
import { type Tensor, TO_END, add, cast, concat, mul, neg, onnxOp, slice, unsqueeze } from '../../graph';
import type { DecoderConfig } from '../config';
import { ModelFormatError } from '../../errors';

/** inv_freq as float32 values, after any supported rope_scaling. */
export function inverseFrequencies(config: DecoderConfig): Float32Array {
  const dim = config.headDim;
  const theta = config.ropeTheta ?? 10000;
  const base = Float32Array.from({ length: dim / 2 }, (_, j) => 1 / Math.fround(Math.pow(theta, Math.fround((2 * j) / dim))));
  const scaling = config.ropeScaling;
  if (!scaling) return base;
  const type = String(scaling.rope_type ?? scaling.type ?? 'default');
  const factor = Number(scaling.factor ?? 1);
  if (type === 'default') return base;
  if (type === 'linear') return base.map((f) => f / factor);
  if (type === 'llama3') return llama3Frequencies(base, factor, scaling);
  throw new ModelFormatError(`rope_scaling type "${type}" is not supported by the engine's Llama graph (supported: default, linear, llama3)`);
}

/** transformers' _compute_llama3_parameters: long wavelengths slowed by `factor`, a smooth ramp in between. */
function llama3Frequencies(base: Float32Array, factor: number, s: Readonly<Record<string, unknown>>): Float32Array {
  const low = Number(s.low_freq_factor ?? 1);
  const high = Number(s.high_freq_factor ?? 4);
  const original = Number(s.original_max_position_embeddings ?? 8192);
  const lowWavelen = original / low;
  const highWavelen = original / high;
  return base.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highWavelen) return f;
    if (wavelen > lowWavelen) return f / factor;
    const smooth = (original / wavelen - low) / (high - low);
    return (1 - smooth) * (f / factor) + smooth * f;
  });
}

export interface RotaryAngles {
  /** [B, S, Dh] each. */
  readonly cos: Tensor;
  readonly sin: Tensor;
}

/** cos and sin of position · inv_freq for [B, S] int64 position ids: constants of the data, no gradient. */
export function rotaryAngles(positionIds: Tensor, config: DecoderConfig): RotaryAngles {
  const g = positionIds.graph;
  const invFreq = inverseFrequencies(config);
  const angles = mul(unsqueeze(cast(positionIds, 'float32'), [2]), g.constant(invFreq, [1, 1, invFreq.length]));
  const emb = concat([angles, angles], 2);
  const [cos] = onnxOp('Cos', [emb], [{ dtype: 'float32', shape: emb.shape }]);
  const [sin] = onnxOp('Sin', [emb], [{ dtype: 'float32', shape: emb.shape }]);
  return { cos, sin };
}

/** x·cos + rotate_half(x)·sin for heads laid out [B, …, S, Dh]; cos/sin are broadcast over the middle axes. */
export function applyRotary(x: Tensor, { cos, sin }: RotaryAngles): Tensor {
  const middle = Array.from({ length: x.rank - 3 }, (_, i) => i + 1);
  const [c, s] = [cos, sin].map((t) => (middle.length ? unsqueeze(t, middle) : t));
  const half = (x.shape[x.rank - 1] as number) / 2;
  const first = slice(x, [-1], [0], [half]);
  const second = slice(x, [-1], [half], [TO_END]);
  const rotated = concat([neg(second), first], -1);
  return add(mul(x, c), mul(rotated, s));
}

