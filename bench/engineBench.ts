// Training and scoring throughput of our engine against PyTorch (Debian torch 1.13 + OpenBLAS, the same GPT-2
// architecture from test/parity/hf_reference.py, via bench/torch_peer.py) at three GPT-2 shapes, one compute thread
// each, plus peak RSS of both and our MFU against the machine's measured single-thread matmul peak.
//   node bench/run.mjs engineBench [--sizes gpt2-0.5m,gpt2-11m,gpt2-124m] [--tasks train,score] [--runs N]
// Each (size, task) runs in a fresh pair of processes, ours and PyTorch's, timed interleaved by this parent
// (ours, peer, ours, peer…) after warm-up runs in each; medians are reported. Ours: the training graph
// (forward + backward, parameters fed as inputs, gradients written into persistent arrays, memory settings from
// trainingSessionMemory) in a GraphSession, then AdamW (WebAssembly SIMD) in place; the scoring graph (forward
// only, weights as initializers that onnxruntime reads from the safetensors file). PyTorch: eager forward,
// loss.backward(), torch.optim.AdamW.step(); scoring under torch.no_grad(). Both apply the LM head to the T−1 scored positions only.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Graph, matmul } from '../src/qrpo/graph';
import { loadFrozenModelWeights, loadModelWeights, readDecoderConfig } from '../src/qrpo/model';
import { buildScoringGraph, buildTrainingGraph } from '../src/qrpo/model/graphs';
import { GraphSession, trainingSessionMemory } from '../src/qrpo/runtime/session';
import { engineAllocatorEnvironment } from '../src/qrpo/runtime/allocatorTuning';
import { AdamW } from '../src/qrpo/train/adamw';
import { type BenchSize, REPOSITORY, SIZES, benchSize, ensureModel, forwardFlopsPerToken, parameterCount } from './benchModels';
import { BenchWorker, type Message, median, seconds, serveWorker } from './benchWorkers';

export const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
export const TORCH_PEER = join(REPOSITORY, 'bench', 'torch_peer.py');
/** One compute thread for every BLAS and OpenMP pool the peer might start. */
export const ONE_THREAD_ENV = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
const OUT_DIR = join(REPOSITORY, 'bench', '.out');
/** Square MatMul sizes for the peak; powers of two alias in cache and run slower in MLAS, so 1536 is included. */
const MATMUL_SIZES = [1024, 1536, 2048];
const LR = 1e-4;
const WEIGHT_DECAY = 0.01;

/** The batch both sides train and score on, written to a JSON file they each read. */
interface BenchBatch {
  input_ids: number[][];
  attention_mask: number[][];
  completion_mask: number[][];
  targets: number[];
  ref_logps: number[];
  beta: number;
}

function makeBatch(size: BenchSize): BenchBatch {
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  const prompt = Math.floor(size.seq / 4);
  const rows = Array.from({ length: size.batch }, () => Array.from({ length: size.seq }, () => next() % size.vocab));
  return {
    input_ids: rows,
    attention_mask: rows.map((r) => r.map(() => 1)),
    completion_mask: rows.map((r) => r.map((_, t) => (t >= prompt ? 1 : 0))),
    targets: rows.map((_, b) => 0.5 - 0.1 * b),
    ref_logps: rows.map(() => -(size.seq - prompt - 1) * Math.log(size.vocab)),
    beta: 0.1,
  };
}

// ---------------------------------------------------------------- worker (our engine, one process per task)

async function ourWorker(task: string, sizeName: string, batchFile: string): Promise<void> {
  await serveWorker(async () => {
    if (task === 'matmul') return matmulWorker(Number(sizeName));
    const size = benchSize(sizeName);
    const dir = await ensureModel(size);
    const batch: BenchBatch = JSON.parse(readFileSync(batchFile, 'utf8'));
    const config = await readDecoderConfig(dir);
    const dims = [size.batch, size.seq];
    const int64 = (rows: number[][]) => ({ data: BigInt64Array.from(rows.flat(), (v) => BigInt(v)), dims });
    const sequence = { input_ids: int64(batch.input_ids), attention_mask: int64(batch.attention_mask), completion_mask: int64(batch.completion_mask) };
    const threads = 1;
    if (task === 'score') {
      // As the product scores: the float32 weights stay in the checkpoint and onnxruntime reads them from there.
      const { graph } = buildScoringGraph(config, await loadFrozenModelWeights(dir, config));
      const session = await GraphSession.create(graph, { threads });
      const run = async () => {
        const start = process.hrtime.bigint();
        const out = await session.run(sequence);
        return { seconds: seconds(start), logp: [...(out.logp.data as Float32Array)] };
      };
      const first = await run();
      for (let i = 1; i < size.warmup; i++) await run();
      return { info: { firstLogp: first.logp }, run };
    }
    const weights = await loadModelWeights(dir, config);
    const { graph, parameterInputs } = buildTrainingGraph(config, weights, { loss: { kind: 'qrpo' } });
    const params = new Map(parameterInputs.map((name) => [name, weights.get(name)!.data]));
    const trainableBytes = [...params.values()].reduce((n, p) => n + p.byteLength, 0);
    const session = await GraphSession.create(graph, { threads, ...trainingSessionMemory(trainableBytes) });
    // The gradients land in the same arrays every step (GraphSession.run's `into`), as a trainer would keep them.
    const gradBuffers = Object.fromEntries(parameterInputs.map((name) => [`grad.${name}`, new Float32Array(params.get(name)!.length)]));
    const optimizer = new AdamW(params, { lr: LR, weightDecay: WEIGHT_DECAY });
    const lossInputs = {
      targets: { data: Float32Array.from(batch.targets), dims: [size.batch] },
      ref_logps: { data: Float32Array.from(batch.ref_logps), dims: [size.batch] },
      beta: Float32Array.of(batch.beta),
    };
    const run = async () => {
      const start = process.hrtime.bigint();
      const out = await session.run({ ...sequence, ...lossInputs, ...Object.fromEntries(params) }, gradBuffers);
      const graphSeconds = seconds(start);
      const grads = new Map(parameterInputs.map((name) => [name, out[`grad.${name}`].data as Float32Array]));
      const optStart = process.hrtime.bigint();
      optimizer.step(grads);
      return { seconds: seconds(start), graph: graphSeconds, optimizer: seconds(optStart), loss: (out.loss.data as Float32Array)[0] };
    };
    const first = await run();
    for (let i = 1; i < size.warmup; i++) await run();
    return { info: { firstLoss: first.loss, parameters: [...params.values()].reduce((n, p) => n + p.length, 0) }, run };
  });
}

async function matmulWorker(n: number): Promise<{ info: Message; run: () => Promise<Message> }> {
  const graph = new Graph();
  const a = graph.input('a', 'float32', [n, n]);
  const b = graph.input('b', 'float32', [n, n]);
  graph.output('c', matmul(a, b));
  const session = await GraphSession.create(graph, { threads: 1 });
  const fill = (seed: number) => Float32Array.from({ length: n * n }, (_, i) => Math.sin(i * 0.37 + seed));
  const feeds = { a: fill(1), b: fill(2) };
  const run = async () => {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    return { seconds: seconds(start) };
  };
  for (let i = 0; i < 3; i++) await run();
  return { info: {}, run };
}

// ---------------------------------------------------------------- parent

interface Side {
  tokensPerSecond: number;
  medianSeconds: number;
  phases: Record<string, number>;
  /** CPU seconds per wall second during the timed runs: ~1 on one thread. */
  cpuPerWall: number;
  maxRssMB: number;
  rssMB: number;
  first: unknown;
}

interface Measurement {
  task: 'train' | 'score';
  size: string;
  params: number;
  batch: number;
  seq: number;
  runs: number;
  ours: Side;
  peer: Side;
  ratio: number;
  oursMfu: number;
  peerMfu: number;
}

function cpuModel(): string {
  const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
  return line ? line.split(':')[1].trim() : (cpus()[0]?.model ?? 'unknown CPU');
}

function startPair(task: string, size: string, batchFile: string): [BenchWorker, BenchWorker] {
  const warmup = task === 'matmul' ? '3' : String(benchSize(size).warmup);
  // Ours runs as the engine's processes do (the launcher and the CLI set the allocator for them); PyTorch with its
  // defaults, or with the same allocator settings under --tuned-peer, to show what they would give it.
  const ours = BenchWorker.start('ours', process.execPath, [__filename, '--worker', task, size, batchFile], engineAllocatorEnvironment());
  const peerEnv = process.argv.includes('--tuned-peer') ? { ...ONE_THREAD_ENV, ...engineAllocatorEnvironment() } : ONE_THREAD_ENV;
  const peer = BenchWorker.start('pytorch', PYTHON, [TORCH_PEER, task, size, batchFile, warmup], peerEnv);
  return [ours, peer];
}

/** Alternates single timed runs: ours, peer, ours, peer… */
async function interleave(ours: BenchWorker, peer: BenchWorker, runs: number): Promise<[Message[], Message[]]> {
  const a: Message[] = [];
  const b: Message[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(await ours.request('run'));
    b.push(await peer.request('run'));
  }
  return [a, b];
}

function phases(results: Message[], keys: readonly string[]): Record<string, number> {
  return Object.fromEntries(keys.filter((k) => typeof results[0][k] === 'number').map((k) => [k, median(results.map((r) => r[k] as number))]));
}

interface Peak {
  n: number;
  ours: number;
  peer: number;
}

/** Median GFLOP/s of an n×n×n float32 MatMul on one thread: onnxruntime (our GraphSession) and torch.mm. */
async function measurePeak(n: number, runs: number): Promise<Peak> {
  const [ours, peer] = startPair('matmul', String(n), '-');
  await ours.ready;
  await peer.ready;
  const [a, b] = await interleave(ours, peer, runs);
  await Promise.all([ours.stop(), peer.stop()]);
  const flops = 2 * n ** 3;
  return { n, ours: flops / median(a.map((r) => r.seconds as number)) / 1e9, peer: flops / median(b.map((r) => r.seconds as number)) / 1e9 };
}

async function measure(task: 'train' | 'score', size: BenchSize, batchFile: string, runsOverride: number | undefined, peakGflops: number): Promise<Measurement> {
  const [ours, peer] = startPair(task, size.name, batchFile);
  // Set up one after the other, so neither's load and warm-up competes with the other's for the core.
  const oursReady = await ours.ready;
  const peerReady = await peer.ready;
  const runs = runsOverride ?? (task === 'train' ? size.trainRuns : size.scoreRuns);
  const [a, b] = await interleave(ours, peer, runs);
  const [oursRss, peerRss] = [await ours.request('rss'), await peer.request('rss')];
  await Promise.all([ours.stop(), peer.stop()]);
  const tokens = size.batch * size.seq;
  const flopsPerStep = (task === 'train' ? 3 : 1) * forwardFlopsPerToken(size) * tokens;
  const side = (results: Message[], rss: Message, ready: Message, keys: readonly string[]): Side => {
    const medianSeconds = median(results.map((r) => r.seconds as number));
    return {
      tokensPerSecond: tokens / medianSeconds,
      medianSeconds,
      phases: phases(results, keys),
      cpuPerWall: median(results.map((r) => r.cpuSeconds as number)) / median(results.map((r) => r.wallSeconds as number)),
      maxRssMB: (rss.maxRssKB as number) / 1024,
      rssMB: (rss.rssKB as number) / 1024,
      first: (ready.ready as Message).firstLoss ?? (ready.ready as Message).firstLogp,
    };
  };
  const o = side(a, oursRss, oursReady, ['graph', 'optimizer']);
  const p = side(b, peerRss, peerReady, ['forward', 'backward', 'optimizer']);
  return {
    task,
    size: size.name,
    params: parameterCount(size),
    batch: size.batch,
    seq: size.seq,
    runs,
    ours: o,
    peer: p,
    ratio: o.tokensPerSecond / p.tokensPerSecond,
    oursMfu: flopsPerStep / o.medianSeconds / 1e9 / peakGflops,
    peerMfu: flopsPerStep / p.medianSeconds / 1e9 / peakGflops,
  };
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--worker') return ourWorker(process.argv[3], process.argv[4], process.argv[5]);
  const sizes = (argument('--sizes')?.split(',') ?? SIZES.map((s) => s.name)).map(benchSize);
  const tasks = (argument('--tasks')?.split(',') ?? ['train', 'score']) as ('train' | 'score')[];
  const runs = argument('--runs') ? Number(argument('--runs')) : undefined;
  const machine = `${cpuModel()}, ${cpus().length} vCPU`;
  const torchVersion = execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim();
  const ortVersion = JSON.parse(readFileSync(join(REPOSITORY, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')).version;
  console.log(`machine: ${machine}; Node ${process.version}, onnxruntime-node ${ortVersion}; PyTorch ${torchVersion} (/usr/bin/python3, OpenBLAS); threads=1 each`);
  const allocator = Object.entries(engineAllocatorEnvironment()).map(([k, v]) => `${k}=${v}`).join(' ') || 'defaults';
  console.log(`allocator: ours ${allocator}; pytorch ${process.argv.includes('--tuned-peer') ? allocator : 'defaults'}`);

  const peaks: Peak[] = [];
  for (const n of MATMUL_SIZES) {
    const p = await measurePeak(n, 7);
    peaks.push(p);
    console.log(
      `matmul ${n}×${n}×${n} float32  machine="${machine}" threads=1  ` +
        `onnxruntime MatMul ${fmt(p.ours, 1)} GFLOP/s  torch.mm ${fmt(p.peer, 1)} GFLOP/s  ratio ${fmt(p.ours / p.peer, 2)}×  (median of 7, interleaved)`,
    );
  }
  // The MFU denominator: the best of onnxruntime's square MatMuls (a measured, attainable single-thread peak).
  const peak = { ours: Math.max(...peaks.map((p) => p.ours)), peer: Math.max(...peaks.map((p) => p.peer)) };
  console.log(`matmul peak: onnxruntime ${fmt(peak.ours, 1)} GFLOP/s (MFU denominator), torch.mm ${fmt(peak.peer, 1)} GFLOP/s`);

  mkdirSync(OUT_DIR, { recursive: true });
  const results: Measurement[] = [];
  for (const size of sizes) {
    await ensureModel(size);
    const batchFile = join(OUT_DIR, `batch-${size.name}.json`);
    writeFileSync(batchFile, JSON.stringify(makeBatch(size)));
    for (const task of tasks) {
      const m = await measure(task, size, batchFile, runs, peak.ours);
      results.push(m);
      const phaseText = (ph: Record<string, number>) => Object.entries(ph).map(([k, v]) => `${k} ${fmt(v * 1000, 1)} ms`).join(', ');
      console.log(
        `${task.padEnd(5)} ${size.name.padEnd(9)} machine="${machine}" threads=1 batch=${m.batch} seq=${m.seq} params=${fmt(m.params / 1e6, 2)}M  ` +
          `ours ${fmt(m.ours.tokensPerSecond)} tok/s  pytorch ${fmt(m.peer.tokensPerSecond)} tok/s  ratio ${fmt(m.ratio, 2)}×  ` +
          `(median of ${m.runs}, interleaved)`,
      );
      console.log(
        `      per step: ours ${fmt(m.ours.medianSeconds * 1000, 1)} ms [${phaseText(m.ours.phases)}]; pytorch ${fmt(m.peer.medianSeconds * 1000, 1)} ms [${phaseText(m.peer.phases)}]`,
      );
      console.log(
        `      peak RSS ours ${fmt(m.ours.maxRssMB)} MB (now ${fmt(m.ours.rssMB)}), pytorch ${fmt(m.peer.maxRssMB)} MB (now ${fmt(m.peer.rssMB)}); ` +
          `MFU vs ${fmt(peak.ours, 1)} GFLOP/s: ours ${fmt(100 * m.oursMfu, 1)}%, pytorch ${fmt(100 * m.peerMfu, 1)}%; ` +
          `CPU/wall ours ${fmt(m.ours.cpuPerWall, 2)}, pytorch ${fmt(m.peer.cpuPerWall, 2)}; ` +
          `first ${task === 'train' ? 'loss' : 'logp[0]'}: ours ${firstValue(m.ours.first)}, pytorch ${firstValue(m.peer.first)}`,
      );
    }
  }
  const file = join(OUT_DIR, 'engineBench-results.json');
  writeFileSync(file, JSON.stringify({ machine, torchVersion, ortVersion, node: process.version, peaks, peak, results }, null, 2));
  console.log(`results: ${file}`);
}

function firstValue(v: unknown): string {
  const x = Array.isArray(v) ? v[0] : v;
  return typeof x === 'number' ? x.toPrecision(7) : String(x);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
