// The demo's reference model, made from nothing: a byte-level BPE tokenizer trained on the demo corpus, a GPT-2-style
// decoder with seeded random weights (tinyModelFolders.ts), then supervised fine-tuning from scratch on the corpus
// through the engine's trainer (trainModel with the sft loss). The result is an HF model folder that the demo's
// QRPO and DPO runs start from and use as π_ref.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { PointwiseRecord } from '../data';
import { loadModelWeights, readDecoderConfig } from '../model';
import { checkVocabulary, loadTokenizer } from '../model/tokenizer';
import type { LogEntry } from '../train/checkpoint';
import { recordTokenizer, trainingExamples, trainModel } from '../train/modelTraining';
import { type ModelDimensions, writeTinyGpt2 } from './tinyModelFolders';

export interface DemoModelSettings {
  readonly seed: number;
  readonly dimensions: Partial<ModelDimensions>;
  /** BPE merges learned from the corpus: whole words of the task become single tokens. */
  readonly merges: number;
}

/** tokenizer files, config.json and random weights in `dir`. */
export async function writeInitialModel(dir: string, corpus: readonly { prompt: string; completion: string }[], settings: DemoModelSettings): Promise<void> {
  const text = corpus.map((row) => `${row.prompt}${row.completion}`).join('\n');
  await writeTinyGpt2(dir, { seed: settings.seed, corpus: text, merges: settings.merges, dimensions: settings.dimensions });
}

export interface SftSettings {
  readonly steps: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
}

/**
 * SFT of the model in `initialDir` on `corpus`, checkpoints in `runDir`; returns the final checkpoint folder (an HF
 * model folder with the tokenizer) and the logged steps, or undefined when `signal` stopped it.
 */
export async function sftModel(
  initialDir: string,
  runDir: string,
  corpus: readonly { prompt: string; completion: string }[],
  settings: SftSettings,
  signal?: AbortSignal,
  onLog?: (entry: LogEntry) => void,
): Promise<{ checkpoint: string; log: readonly LogEntry[] } | undefined> {
  const config = await readDecoderConfig(initialDir);
  const tokenizer = await loadTokenizer(initialDir);
  checkVocabulary(tokenizer, config);
  const tokens = recordTokenizer(tokenizer, config, { maxLength: config.maxPositions });
  const records = corpus.map((row, i): { record: PointwiseRecord } => ({
    record: { prompt: row.prompt, completion: row.completion, source: { file: 'demo corpus', line: i + 1, unit: 'row' } },
  }));
  await fs.mkdir(runDir, { recursive: true });
  const result = await trainModel({
    setup: {
      config,
      weights: await loadModelWeights(initialDir, config, { tokenizerVocabSize: tokenizer.vocabSize }),
      examples: trainingExamples(records, 'sft', tokens),
      settings: { loss: { kind: 'sft' }, beta: 0 },
      padTokenId: tokens.padTokenId,
      threads: 1,
    },
    args: {
      numExamples: records.length,
      perDeviceTrainBatchSize: settings.batchSize,
      maxSteps: settings.steps,
      learningRate: settings.learningRate,
      lrSchedulerType: 'cosine',
      warmupRatio: 0.05,
      weightDecay: 0.01,
      seed: settings.seed,
      loggingSteps: Math.max(1, Math.floor(settings.steps / 20)),
    },
    runDir,
    model: { sourceFolder: initialDir },
    onLog,
    signal,
  });
  if (result.stopped) return undefined;
  if (result.lastCheckpoint === undefined) throw new Error('SFT ended without a checkpoint');
  return { checkpoint: result.lastCheckpoint, log: result.logHistory };
}

/** The folder the runs read the reference model from: the SFT checkpoint's files, without its optimizer state. */
export async function publishModel(checkpoint: string, dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  for (const name of await fs.readdir(checkpoint)) {
    if (name === 'optimizer.safetensors' || name === 'trainer_state.json') continue;
    await fs.copyFile(join(checkpoint, name), join(dir, name));
  }
}
