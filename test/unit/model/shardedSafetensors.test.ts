import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsFile } from '../../../src/qrpo/model/safetensors';
import { writeSafetensors } from '../../../src/qrpo/model/safetensorsWriter';
import { openModelWeights, ShardedSafetensors } from '../../../src/qrpo/model/shardedSafetensors';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';

const dir = temporaryFolder();

async function writeTwoShards(folder: string): Promise<string> {
  mkdirSync(folder, { recursive: true });
  await writeSafetensors(join(folder, 'model-00001-of-00002.safetensors'), {
    'a.weight': { dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) },
    'b.weight': { dtype: 'BF16', shape: [1], data: Float32Array.of(3) },
  });
  await writeSafetensors(join(folder, 'model-00002-of-00002.safetensors'), {
    'c.weight': { dtype: 'F16', shape: [2, 1], data: Float32Array.of(4, 5) },
  });
  const indexPath = join(folder, 'model.safetensors.index.json');
  writeFileSync(
    indexPath,
    JSON.stringify({
      metadata: { total_size: 14 },
      weight_map: {
        'a.weight': 'model-00001-of-00002.safetensors',
        'b.weight': 'model-00001-of-00002.safetensors',
        'c.weight': 'model-00002-of-00002.safetensors',
      },
    }),
  );
  return indexPath;
}

describe('sharded safetensors', () => {
  test('the index gives one lookup over every shard', async () => {
    const folder = join(dir, 'two-shards');
    const indexPath = await writeTwoShards(folder);
    const weights = await ShardedSafetensors.open(indexPath);
    assert.deepEqual(weights.names(), ['a.weight', 'b.weight', 'c.weight']);
    assert.equal(weights.totalSize, 14);
    assert.equal(weights.info('c.weight')?.file, join(folder, 'model-00002-of-00002.safetensors'));
    assert.deepEqual(weights.info('c.weight')?.shape, [2, 1]);
    assert.deepEqual(await weights.readFloat32('a.weight'), Float32Array.of(1, 2));
    assert.deepEqual(await weights.readFloat32('b.weight'), Float32Array.of(3));
    assert.deepEqual(await weights.readFloat32('c.weight'), Float32Array.of(4, 5));
    assert.equal(weights.info('missing'), undefined);
  });

  test('a shard named in the index but absent is reported with the tensors it should hold', async () => {
    const folder = join(dir, 'missing-shard');
    const indexPath = await writeTwoShards(folder);
    rmSync(join(folder, 'model-00001-of-00002.safetensors'));
    await assert.rejects(ShardedSafetensors.open(indexPath), {
      name: 'ModelFormatError',
      message:
        `${indexPath} names shard model-00001-of-00002.safetensors for 2 tensors (first "a.weight"), ` +
        `but ${join(folder, 'model-00001-of-00002.safetensors')} does not exist. ` +
        'Download every shard the index lists, or remove the index if the weights are in a single model.safetensors',
    });
  });

  test('an index that promises a tensor its shard lacks, or points outside the folder, is rejected', async () => {
    const folder = join(dir, 'bad-index');
    const indexPath = await writeTwoShards(folder);
    writeFileSync(indexPath, JSON.stringify({ weight_map: { 'z.weight': 'model-00002-of-00002.safetensors' } }));
    await assert.rejects(ShardedSafetensors.open(indexPath), {
      message: `${indexPath} puts tensor "z.weight" in model-00002-of-00002.safetensors, but that shard has no such tensor`,
    });
    writeFileSync(indexPath, JSON.stringify({ weight_map: { 'a.weight': '../elsewhere.safetensors' } }));
    await assert.rejects(ShardedSafetensors.open(indexPath), {
      message: `${indexPath} maps tensor "a.weight" to "../elsewhere.safetensors", not a file name beside the index`,
    });
    writeFileSync(indexPath, JSON.stringify({ metadata: {} }));
    await assert.rejects(ShardedSafetensors.open(indexPath), { message: `${indexPath} has no "weight_map" object` });
    writeFileSync(indexPath, '{');
    await assert.rejects(ShardedSafetensors.open(indexPath), (error: Error) => error.message.startsWith(`${indexPath} is not valid JSON (`));
  });

  test('a model folder opens its index first, else model.safetensors, else says what is missing', async () => {
    const sharded = join(dir, 'folder-sharded');
    await writeTwoShards(sharded);
    await writeSafetensors(join(sharded, 'model.safetensors'), { stale: { dtype: 'F32', shape: [1], data: Float32Array.of(0) } });
    assert.ok((await openModelWeights(sharded)) instanceof ShardedSafetensors);

    const single = join(dir, 'folder-single');
    mkdirSync(single);
    await writeSafetensors(join(single, 'model.safetensors'), { x: { dtype: 'F32', shape: [1], data: Float32Array.of(0) } });
    assert.ok((await openModelWeights(single)) instanceof SafetensorsFile);
    assert.ok((await openModelWeights(join(single, 'model.safetensors'))) instanceof SafetensorsFile);

    const empty = join(dir, 'folder-empty');
    mkdirSync(empty);
    await assert.rejects(openModelWeights(empty), { message: `${empty} has neither model.safetensors nor model.safetensors.index.json` });
    writeFileSync(join(empty, 'pytorch_model.bin'), '');
    await assert.rejects(openModelWeights(empty), {
      message:
        `${empty} has neither model.safetensors nor model.safetensors.index.json. ` +
        'It holds pytorch_model.bin, a pickle the engine does not read: convert it with `model.save_pretrained(dir, safe_serialization=True)`',
    });
    await assert.rejects(openModelWeights(join(dir, 'nowhere')), { message: `${join(dir, 'nowhere')} does not exist` });
  });
});
