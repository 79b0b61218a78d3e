// The GPT-2-shaped models the benchmarks run, written once as Hugging Face folders (config.json, F32
// model.safetensors, a small byte-level BPE tokenizer) under bench/.models/<name>/ with seeded random weights
// (std 0.02, norms near 1), so PyTorch, transformers.js and our engine all read the same files.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors, type WritableTensor } from '../src/qrpo/model/safetensorsWriter';
import { DEFAULT_CORPUS, tokenizerJson, trainByteLevelBpe } from '../test/fixtures/models/byteLevelBpe';
import { seededNormal } from '../test/fixtures/models/seededRandom';

export interface BenchSize {
  readonly name: string;
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly vocab: number;
  readonly positions: number;
  /** Training and scoring batch shape. */
  readonly batch: number;
  readonly seq: number;
  /** Timed runs per side (after warm-up) for training and for scoring. */
  readonly trainRuns: number;
  readonly scoreRuns: number;
  readonly warmup: number;
}

// The 0.5M and 11M shapes are the ones engine-notes.md measured the prototype on (0.48M and 10.9M parameters).
export const SIZES: readonly BenchSize[] = [
  { name: 'gpt2-0.5m', hidden: 128, layers: 2, heads: 4, vocab: 512, positions: 64, batch: 8, seq: 64, trainRuns: 15, scoreRuns: 15, warmup: 3 },
  { name: 'gpt2-11m', hidden: 384, layers: 6, heads: 6, vocab: 512, positions: 64, batch: 8, seq: 64, trainRuns: 7, scoreRuns: 9, warmup: 2 },
  { name: 'gpt2-124m', hidden: 768, layers: 12, heads: 12, vocab: 50257, positions: 1024, batch: 1, seq: 128, trainRuns: 5, scoreRuns: 7, warmup: 2 },
];

export function benchSize(name: string): BenchSize {
  const size = SIZES.find((s) => s.name === name);
  if (!size) throw new Error(`unknown size '${name}'; sizes are ${SIZES.map((s) => s.name).join(', ')}`);
  return size;
}

export const REPOSITORY = join(__dirname, '..', '..');
export const MODELS_DIR = join(REPOSITORY, 'bench', '.models');

/** Every parameter, as transformers' GPT2LMHeadModel names them (tied head, Conv1D weights [in, out]). */
export function gpt2Shapes(size: BenchSize): [string, number[]][] {
  const { hidden: d, layers, vocab, positions } = size;
  const shapes: [string, number[]][] = [['wte.weight', [vocab, d]], ['wpe.weight', [positions, d]]];
  for (let i = 0; i < layers; i++) {
    const h = `h.${i}`;
    shapes.push(
      [`${h}.ln_1.weight`, [d]], [`${h}.ln_1.bias`, [d]],
      [`${h}.attn.c_attn.weight`, [d, 3 * d]], [`${h}.attn.c_attn.bias`, [3 * d]],
      [`${h}.attn.c_proj.weight`, [d, d]], [`${h}.attn.c_proj.bias`, [d]],
      [`${h}.ln_2.weight`, [d]], [`${h}.ln_2.bias`, [d]],
      [`${h}.mlp.c_fc.weight`, [d, 4 * d]], [`${h}.mlp.c_fc.bias`, [4 * d]],
      [`${h}.mlp.c_proj.weight`, [4 * d, d]], [`${h}.mlp.c_proj.bias`, [d]],
    );
  }
  shapes.push(['ln_f.weight', [d]], ['ln_f.bias', [d]]);
  return shapes;
}

export function parameterCount(size: BenchSize): number {
  return gpt2Shapes(size).reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * Matmul FLOPs of one forward token: 2·(12·L·d² + V·d) for the projections and the tied LM head, plus 4·L·T·d for
 * Q·Kᵀ and A·V over the full T×T square that both implementations compute (the causal half is masked, not skipped).
 * Training counts 3× (backward = 2× forward). Embedding lookups, norms, softmax and GELU are not counted.
 */
export function forwardFlopsPerToken(size: BenchSize, seq = size.seq): number {
  const { hidden: d, layers: L, vocab: V } = size;
  return 2 * (12 * L * d * d + V * d) + 4 * L * seq * d;
}

function gpt2Config(size: BenchSize, eot: number): Record<string, unknown> {
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    activation_function: 'gelu_new',
    attn_pdrop: 0.0,
    embd_pdrop: 0.0,
    resid_pdrop: 0.0,
    initializer_range: 0.02,
    layer_norm_epsilon: 1e-5,
    n_ctx: size.positions,
    n_embd: size.hidden,
    n_head: size.heads,
    n_inner: null,
    n_layer: size.layers,
    n_positions: size.positions,
    vocab_size: size.vocab,
    bos_token_id: eot,
    eos_token_id: eot,
    scale_attn_weights: true,
    use_cache: true,
    torch_dtype: 'float32',
    transformers_version: '4.46.3',
  };
}

/** The model folder for a size, written on first use (the 124M one takes ~10 s and 500 MB). */
export async function ensureModel(size: BenchSize): Promise<string> {
  const dir = join(MODELS_DIR, size.name);
  const stamp = JSON.stringify(size, ['name', 'hidden', 'layers', 'heads', 'vocab', 'positions']);
  const stampFile = join(dir, '.bench-stamp');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return dir;
  mkdirSync(dir, { recursive: true });
  const bpe = trainByteLevelBpe(DEFAULT_CORPUS, 40);
  const { json, specialIds } = tokenizerJson({ bpe, specialTokens: ['<|endoftext|>'] });
  const eot = specialIds['<|endoftext|>'];
  const writeJson = (name: string, value: unknown) => writeFileSync(join(dir, name), JSON.stringify(value, null, 2) + '\n');
  writeJson('tokenizer.json', json);
  writeJson('tokenizer_config.json', {
    add_prefix_space: false,
    bos_token: '<|endoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    pad_token: '<|endoftext|>',
    clean_up_tokenization_spaces: false,
    model_max_length: size.positions,
    tokenizer_class: 'GPT2Tokenizer',
  });
  writeJson('config.json', gpt2Config(size, eot));
  writeJson('generation_config.json', { bos_token_id: eot, eos_token_id: eot, transformers_version: '4.46.3' });
  const normal = seededNormal(1234);
  const tensors: Record<string, WritableTensor> = {};
  for (const [name, shape] of gpt2Shapes(size)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const isNorm = /ln_\w+\.weight$/.test(name);
    const isBias = name.endsWith('.bias');
    for (let i = 0; i < data.length; i++) data[i] = (isNorm ? 1 : 0) + (isBias || isNorm ? 0.01 : 0.02) * normal();
    tensors[name] = { dtype: 'F32', shape, data };
  }
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  writeFileSync(stampFile, stamp);
  return dir;
}
