// Measures the two log-softmax forms of completionLogps.ts (`onnx` LogSoftmax vs `composed` max-shift + log Σ exp)
// on the scoring and training graphs of a tiny GPT-2 (2 layers, width 32) at vocabularies of 320 and 8192, batch 8
// × 64 tokens, one thread. Not a test: run `node out/test/unit/modelTraining/logSoftmaxCost.js [webgpu]`.
import { join } from 'node:path';
import { loadModelWeights, readDecoderConfig } from '../../../src/qrpo/model';
import { type LogSoftmaxForm, buildScoringGraph, buildTrainingGraph, packScoringBatch, scoringFeeds } from '../../../src/qrpo/model/graphs';
import { GraphSession } from '../../../src/qrpo/runtime/session';
import type { ExecutionProvider } from '../../../src/qrpo/runtime/providers';
import { writeTinyGpt2 } from '../../fixtures/models/tinyModels';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';

const [BATCH, SEQ, RUNS] = [8, 64, 20];

async function timeRuns(session: GraphSession, feeds: Parameters<GraphSession['run']>[0]): Promise<number> {
  for (let i = 0; i < 2; i++) await session.runTensors(feeds);
  const start = performance.now();
  for (let i = 0; i < RUNS; i++) await session.runTensors(feeds);
  return (performance.now() - start) / RUNS;
}

async function main(): Promise<void> {
  const provider = (process.argv[2] ?? 'cpu') as ExecutionProvider;
  const root = temporaryFolder('qrpo-logsoftmax-');
  for (const vocab of [320, 8192]) {
    const dir = join(root, `v${vocab}`);
    await writeTinyGpt2(dir, { seed: 1, vocabSize: vocab });
    const config = await readDecoderConfig(dir);
    const weights = await loadModelWeights(dir, config);
    const sequences = Array.from({ length: BATCH }, (_, b) => ({
      prompt: Array.from({ length: 16 }, (_, t) => (b * 131 + t * 17) % vocab),
      completion: Array.from({ length: SEQ - 16 }, (_, t) => (b * 71 + t * 29 + 5) % vocab),
    }));
    const feeds = scoringFeeds(packScoringBatch(sequences, { padding: 'right' }));
    const params = Object.fromEntries([...weights].map(([n, w]) => [n, { data: w.data, dims: [...w.shape] }]));
    const lossFeeds = {
      targets: { data: new Float32Array(BATCH), dims: [BATCH] },
      ref_logps: { data: new Float32Array(BATCH).fill(-300), dims: [BATCH] },
      beta: { data: Float32Array.of(0.1), dims: [] },
    };
    const line: string[] = [];
    for (const form of ['onnx', 'composed'] as LogSoftmaxForm[]) {
      const scoring = await GraphSession.create(buildScoringGraph(config, weights, { logSoftmax: form }).graph, { executionProvider: provider });
      const scoreMs = await timeRuns(scoring, feeds);
      await scoring.release();
      const training = await GraphSession.create(buildTrainingGraph(config, undefined, { loss: { kind: 'qrpo' }, logSoftmax: form }).graph, { executionProvider: provider });
      const trainMs = await timeRuns(training, { ...feeds, ...params, ...lossFeeds });
      await training.release();
      line.push(`${form}: scoring ${scoreMs.toFixed(2)} ms, training ${trainMs.toFixed(2)} ms`);
    }
    console.log(`${provider} vocab ${vocab}, batch ${BATCH}×${SEQ}, 1 thread, mean of ${RUNS} runs: ${line.join('; ')}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
