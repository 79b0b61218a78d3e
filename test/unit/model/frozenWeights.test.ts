// Frozen weights left in their safetensors files (weights.ts loadFrozen): onnxruntime reads the float32 tensors
// itself, and the scoring and decoding sessions built that way compute bitwise what the same weights read into JS
// give, for GPT-2 and the Llama family, single-file and sharded. Tensors in other dtypes are read as before.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type FrozenWeights, type ModelWeights, SafetensorsFile, type TensorSource, loadFrozenModelWeights, loadModelWeights, readDecoderConfig, resolveWeights,
} from '../../../src/qrpo/model';
import { buildScoringGraph, logSoftmaxFormFor, packScoringBatch, scoringFeeds } from '../../../src/qrpo/model/graphs';
import { writeSafetensors } from '../../../src/qrpo/model/safetensorsWriter';
import { type ExecutionProvider, GraphSession } from '../../../src/qrpo/runtime/session';
import { OnnxDecoder, loadGenerator } from '../../../src/qrpo/sample';
import { sequences } from '../families/familyFixtures';
import { webgpuAvailable } from '../runtime/webgpu';
import { type TinyModel, writeTinyGpt2, writeTinyLlama } from '../../fixtures/models/tinyModels';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';

const root = temporaryFolder('qrpo-frozen-');

type Family = 'gpt2' | 'llama' | 'qwen2';
// Wider than the fixture's default so that the projections are large enough for onnxruntime to prepack them.
const dimensions = { hidden: 64, intermediate: 128 };

function writeModel(family: Family, shards: number): Promise<TinyModel> {
  const dir = join(root, `${family}-${shards}`);
  return family === 'gpt2' ? writeTinyGpt2(dir, { seed: 5, shards, dimensions }) : writeTinyLlama(dir, { seed: 5, shards, variant: family, dimensions });
}

async function scores(dir: string, weights: FrozenWeights | ModelWeights, executionProvider: ExecutionProvider = 'cpu') {
  const config = await readDecoderConfig(dir);
  const graph = buildScoringGraph(config, weights, { entropy: true, logSoftmax: logSoftmaxFormFor(executionProvider) }).graph;
  const session = await GraphSession.create(graph, { executionProvider });
  try {
    const out = await session.run(scoringFeeds(packScoringBatch(sequences(5, 60, 7), { padding: 'right' })));
    return { logp: out.logp.data as Float32Array, tokenLogps: out.token_logps.data as Float32Array, entropy: out.entropy.data as Float32Array };
  } finally {
    await session.release();
  }
}

function assertBitwiseEqual(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  assert.ok(Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)), `${what} differ`);
}

/** Name, size and modification time of every file in a folder: a session must write nothing beside the model. */
function listing(dir: string): string[] {
  return readdirSync(dir).map((name) => `${name} ${statSync(join(dir, name)).size} ${statSync(join(dir, name)).mtimeMs}`);
}

describe('frozen weights read by onnxruntime from the checkpoint', () => {
  for (const family of ['gpt2', 'llama', 'qwen2'] as const) {
    for (const shards of [1, 3]) {
      test(`${family}, ${shards === 1 ? 'one file' : `${shards} shards`}: the scoring session gives bitwise the log-probs of in-memory weights`, async () => {
        const { dir } = await writeModel(family, shards);
        const config = await readDecoderConfig(dir);
        const frozen = await loadFrozenModelWeights(dir, config);
        assert.ok([...frozen.values()].every((p) => 'file' in p), 'every F32 tensor stays in its file');
        const files = new Set([...frozen.values()].map((p) => ('file' in p ? p.file.path : '')));
        assert.equal(files.size, shards);
        const before = listing(dir);
        const actual = await scores(dir, frozen);
        const expected = await scores(dir, await loadModelWeights(dir, config));
        assertBitwiseEqual(actual.logp, expected.logp, 'logp');
        assertBitwiseEqual(actual.tokenLogps, expected.tokenLogps, 'token log-probs');
        assertBitwiseEqual(actual.entropy, expected.entropy, 'entropies');
        assert.deepEqual(listing(dir), before);
      });
    }
  }

  for (const family of ['gpt2', 'llama'] as const) {
    test(`${family}: loadGenerator's decoder reads its weights from the file and gives bitwise the logits of in-memory weights`, async () => {
      const { dir } = await writeModel(family, family === 'gpt2' ? 1 : 2);
      const loaded = await loadGenerator(dir);
      const inMemory = await OnnxDecoder.create(loaded.config, await loadModelWeights(dir, loaded.config));
      try {
        // A left-padded prompt step, then one cached step.
        const prompt = { inputIds: BigInt64Array.of(0n, 7n, 3n, 9n, 11n, 4n), attentionMask: BigInt64Array.of(0n, 1n, 1n, 1n, 1n, 1n), positionIds: BigInt64Array.of(1n, 0n, 1n, 0n, 1n, 2n) };
        const first = { ...prompt, batchSize: 2, newLength: 3, pastLength: 0, past: undefined };
        const [a, b] = [await loaded.decoder.step(first), await inMemory.step(first)];
        assertBitwiseEqual(a.logits, b.logits, 'prompt logits');
        const next = (present: typeof a.present) => ({
          inputIds: BigInt64Array.of(5n, 6n),
          attentionMask: BigInt64Array.of(0n, 1n, 1n, 1n, 1n, 1n, 1n, 1n),
          positionIds: BigInt64Array.of(2n, 3n),
          batchSize: 2,
          newLength: 1,
          pastLength: 3,
          past: present,
        });
        const [c, d] = [await loaded.decoder.step(next(a.present)), await inMemory.step(next(b.present))];
        assertBitwiseEqual(c.logits, d.logits, 'cached-step logits');
      } finally {
        await loaded.decoder.release();
        await inMemory.release();
      }
    });
  }

  test('on WebGPU, the file-backed scoring session gives bitwise the log-probs of in-memory weights', async (t) => {
    if (!(await webgpuAvailable(t))) return;
    const { dir } = await writeModel('gpt2', 1);
    const config = await readDecoderConfig(dir);
    const actual = await scores(dir, await loadFrozenModelWeights(dir, config), 'webgpu');
    const expected = await scores(dir, await loadModelWeights(dir, config), 'webgpu');
    assertBitwiseEqual(actual.tokenLogps, expected.tokenLogps, 'token log-probs');
  });

  test('a tensor source that cannot say where its tensors lie has them read', async () => {
    const { dir } = await writeModel('gpt2', 1);
    const file = await SafetensorsFile.open(join(dir, 'model.safetensors'));
    const withoutRegions: TensorSource = { description: file.description, names: () => file.names(), info: (name) => file.info(name), readFloat32: (name) => file.readFloat32(name) };
    const frozen = await resolveWeights(withoutRegions, await readDecoderConfig(dir)).loadFrozen();
    assert.ok([...frozen.values()].every((p) => 'data' in p));
  });

  test('BF16 checkpoints are read and widened; F32 tensors beside a few BF16 ones stay in the file', async () => {
    const bf16 = await writeTinyGpt2(join(root, 'bf16'), { seed: 5, dtype: 'BF16', dimensions });
    const config = await readDecoderConfig(bf16.dir);
    assert.ok([...(await loadFrozenModelWeights(bf16.dir, config)).values()].every((p) => 'data' in p));

    // Everything F32 but the LayerNorm scales: the matrices stay in the file, the scales travel inline.
    const mixed = await writeTinyGpt2(join(root, 'mixed'), { seed: 5, dimensions });
    const tensors = Object.fromEntries(
      [...mixed.tensors].map(([name, t]) => [name, { dtype: /ln_.*\.weight$/.test(name) ? ('BF16' as const) : ('F32' as const), shape: t.shape, data: t.data }]),
    );
    await writeSafetensors(join(mixed.dir, 'model.safetensors'), tensors);
    const mixedConfig = await readDecoderConfig(mixed.dir);
    const frozen = await loadFrozenModelWeights(mixed.dir, mixedConfig);
    assert.ok('data' in frozen.get('ln_f.weight')!);
    assert.ok('file' in frozen.get('h.0.mlp.c_fc.weight')!);
    const expected = await scores(mixed.dir, await loadModelWeights(mixed.dir, mixedConfig));
    assertBitwiseEqual((await scores(mixed.dir, frozen)).logp, expected.logp, 'logp');
  });
});
