import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDecoderConfig } from '../../../src/qrpo/model/config';
import { decoderParameters, huggingFaceTensorName } from '../../../src/qrpo/model/decoderParameters';
import { loadModelWeights } from '../../../src/qrpo/model/weights';
import { AdamW } from '../../../src/qrpo/train/adamw';
import { TOKENIZER_FILES, latestCheckpoint, listCheckpoints, loadCheckpoint, saveCheckpoint } from '../../../src/qrpo/train/checkpoint';
import type { CheckpointModel, TrainerState } from '../../../src/qrpo/train/checkpoint';
import { Random } from '../../../src/qrpo/train/random';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { writeTinyGpt2 } from '../../fixtures/models/tinyModels';

const root = temporaryFolder('qrpo-checkpoint-');

function trainerState(step: number): TrainerState {
  return {
    global_step: step,
    epoch: step / 4,
    max_steps: 8,
    num_train_epochs: 2,
    logging_steps: 1,
    save_steps: 1,
    train_batch_size: 2,
    num_input_tokens_seen: 100 * step,
    best_metric: null,
    best_model_checkpoint: null,
    log_history: Array.from({ length: step }, (_, i) => ({ loss: 1 / (i + 1), step: i + 1 })),
    qrpo: {
      seed: 5,
      rng: Random.fromSeed(5, step).state,
      data: { epoch: Math.floor(step / 4), microBatches: step % 4, shuffle: true },
      schedule: { name: 'cosine', base_learning_rate: 1e-6, total_steps: 8, warmup_steps: 1 },
      log_window: { steps: 0, sums: {} },
    },
  };
}

/**
 * A tiny GPT-2 folder; the last block and ln_f train (canonical names), the rest is frozen under HF names, as a
 * partial fine-tune would save them.
 */
async function fixture(name: string) {
  const source = join(root, `${name}-model`);
  const tiny = await writeTinyGpt2(source, { seed: 11 });
  const config = await readDecoderConfig(source);
  const weights = await loadModelWeights(source, config);
  const specs = new Map(decoderParameters(config).map((spec) => [spec.name, spec]));
  const hfName = (canonical: string) => huggingFaceTensorName(config, specs.get(canonical)!);
  const trainable = new Map([...weights].filter(([n]) => n.startsWith('h.1.') || n.startsWith('ln_f.')).map(([n, t]) => [n, t.data]));
  const all = new Map([...weights].map(([n, t]) => [hfName(n), { shape: t.shape, data: t.data }]));
  const model: CheckpointModel = { weights: all, sourceFolder: source };
  const optimizer = new AdamW(trainable, { lr: 1e-3, weightDecay: 0.01 });
  const rng = Random.fromSeed(3);
  const step = () => optimizer.step(new Map([...trainable].map(([n, p]) => [n, Float32Array.from(p, () => rng.nextFloat() - 0.5)])));
  return { tiny, source, config, trainable, model, optimizer, step, hfName, runDir: join(root, `${name}-run`) };
}

const files = (folder: string) => new Map(readdirSync(folder).map((f) => [f, readFileSync(join(folder, f))]));

describe('checkpoints', () => {
  test('a checkpoint is an HF folder: config, weights under HF names, tokenizer files, optimizer and trainer state', async () => {
    const f = await fixture('complete');
    f.step();
    const folder = await saveCheckpoint({ runDir: f.runDir, model: f.model, optimizer: f.optimizer, trainerState: trainerState(1) });
    assert.equal(folder, join(f.runDir, 'checkpoint-1'));
    const present = TOKENIZER_FILES.filter((name) => existsSync(join(f.source, name)));
    assert.deepEqual(present, ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json']);
    assert.deepEqual(readdirSync(folder).sort(), ['config.json', 'model.safetensors', 'optimizer.safetensors', 'trainer_state.json', ...present].sort());
    for (const name of [...present, 'config.json']) assert.deepEqual(JSON.parse(readFileSync(join(folder, name), 'utf8')), JSON.parse(readFileSync(join(f.source, name), 'utf8')), name);

    // The model loader reads the checkpoint as it reads any HF folder, trained weights included.
    const reloaded = await loadModelWeights(folder, await readDecoderConfig(folder));
    assert.equal(reloaded.size, f.model.weights.size);
    for (const [canonical, tensor] of reloaded) assert.deepEqual(tensor.data, f.model.weights.get(f.hfName(canonical))!.data, canonical);
    assert.deepEqual(reloaded.get('h.1.mlp.c_fc.weight')!.data, f.trainable.get('h.1.mlp.c_fc.weight'));
  });

  test('loadCheckpoint restores parameters, optimizer moments, step count and trainer state in place', async () => {
    const f = await fixture('load');
    f.step();
    f.step();
    const folder = await saveCheckpoint({ runDir: f.runDir, model: f.model, optimizer: f.optimizer, trainerState: trainerState(2) });
    const parameters = new Map([...f.trainable].map(([n, p]) => [n, new Float32Array(p.length)]));
    const optimizer = new AdamW(parameters, { lr: 1e-3, weightDecay: 0.01 });
    const state = await loadCheckpoint(folder, { parameters, optimizer, tensorName: f.hfName });
    assert.deepEqual(state, trainerState(2));
    assert.deepEqual(parameters, f.trainable);
    assert.deepEqual(optimizer.state, f.optimizer.state);
    assert.equal(optimizer.stepCount, 2);
  });

  test('a crash mid-save leaves no checkpoint-<step>, no temporary folder, and the previous checkpoint intact', async () => {
    const f = await fixture('crash');
    f.step();
    const previous = await saveCheckpoint({ runDir: f.runDir, model: f.model, optimizer: f.optimizer, trainerState: trainerState(1) });
    const before = files(previous);
    f.step();
    for (const failAt of ['model.safetensors', 'tokenizer.json', 'trainer_state.json']) {
      await assert.rejects(
        saveCheckpoint({
          runDir: f.runDir, model: f.model, optimizer: f.optimizer, trainerState: trainerState(2),
          afterFile: (name) => {
            if (name === failAt) throw new Error(`simulated crash after ${name}`);
          },
        }),
        new RegExp(`simulated crash after ${failAt.replace('.', '\\.')}`),
      );
      assert.deepEqual(readdirSync(f.runDir), ['checkpoint-1'], `after a crash at ${failAt}`);
      assert.deepEqual(await latestCheckpoint(f.runDir), { path: previous, step: 1 });
      assert.deepEqual(files(previous), before);
    }
  });

  test('a killed save leaves only a hidden temporary folder, which latestCheckpoint ignores and the next save removes', async () => {
    const f = await fixture('killed');
    f.step();
    await saveCheckpoint({ runDir: f.runDir, model: f.model, optimizer: f.optimizer, trainerState: trainerState(1) });
    // What kill -9 in the middle of saving step 3 leaves, and a checkpoint folder copied by hand without its state.
    mkdirSync(join(f.runDir, '.checkpoint-3.tmp-4242-abc-def'));
    writeFileSync(join(f.runDir, '.checkpoint-3.tmp-4242-abc-def', 'model.safetensors'), 'torn');
    mkdirSync(join(f.runDir, 'checkpoint-5'));
    writeFileSync(join(f.runDir, 'checkpoint-5', 'model.safetensors'), 'torn');
    assert.equal((await latestCheckpoint(f.runDir))?.step, 1);

    f.step();
    await saveCheckpoint({ runDir: f.runDir, model: f.model, optimizer: f.optimizer, trainerState: trainerState(2) });
    assert.deepEqual(readdirSync(f.runDir).sort(), ['checkpoint-1', 'checkpoint-2', 'checkpoint-5']);
    assert.equal((await latestCheckpoint(f.runDir))?.step, 2);
  });

  test('saving a step that already has a checkpoint replaces it whole', async () => {
    const f = await fixture('replace');
    f.step();
    await saveCheckpoint({ runDir: f.runDir, model: f.model, optimizer: f.optimizer, trainerState: trainerState(1) });
    const replaced = { ...trainerState(1), best_metric: 0.25 };
    const folder = await saveCheckpoint({ runDir: f.runDir, model: f.model, optimizer: f.optimizer, trainerState: replaced });
    assert.equal(JSON.parse(readFileSync(join(folder, 'trainer_state.json'), 'utf8')).best_metric, 0.25);
    assert.deepEqual(readdirSync(f.runDir), ['checkpoint-1']);
  });

  test('a run folder without checkpoints has no latest one; steps sort numerically', async () => {
    assert.equal(await latestCheckpoint(join(root, 'missing')), undefined);
    const dir = join(root, 'numeric');
    for (const step of [9, 10, 100]) mkdirSync(join(dir, `checkpoint-${step}`), { recursive: true });
    assert.deepEqual((await listCheckpoints(dir)).map((c) => c.step), [9, 10, 100]);
  });
});
