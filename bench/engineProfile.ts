// Where a training or scoring step of our engine spends its time: onnxruntime's own profiler (enableProfiling) over
// the same graph and session options GraphSession uses (one thread), aggregated per op type and per node, split
// into forward and backward nodes, plus the AdamW update timed in JS. Evidence for docs/benchmarks.md.
//   node bench/run.mjs engineProfile --size gpt2-124m --task train [--runs 3] [--top 15]
// Forward vs backward: autodiff appends the backward nodes after the loss, and node names carry the IR node id
// (`MatMul_123`), so a node whose id is above the loss node's is backward.
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../src/qrpo/graph';
import { loadModelWeights, readDecoderConfig } from '../src/qrpo/model';
import { buildScoringGraph, buildTrainingGraph } from '../src/qrpo/model/graphs';
import { AdamW } from '../src/qrpo/train/adamw';
import { REPOSITORY, benchSize, ensureModel } from './benchModels';
import { median, seconds } from './benchWorkers';

interface ProfileEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string; input_type_shape?: Record<string, number[]>[]; output_type_shape?: Record<string, number[]>[] };
}

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function shapes(list: Record<string, number[]>[] | undefined): string {
  return (list ?? []).map((entry) => `[${Object.values(entry)[0].join('×')}]`).join(' ');
}

async function main(): Promise<void> {
  const size = benchSize(argument('--size', 'gpt2-124m'));
  const task = argument('--task', 'train');
  const runs = Number(argument('--runs', '3'));
  const top = Number(argument('--top', '15'));
  const dir = await ensureModel(size);
  const config = await readDecoderConfig(dir);
  const weights = await loadModelWeights(dir, config);
  const built = task === 'train' ? buildTrainingGraph(config, weights, { loss: { kind: 'qrpo' } }) : buildScoringGraph(config, weights);
  const lossTensor = built.graph.outputs.find((o) => o.name === (task === 'train' ? 'loss' : 'logp'))!.tensor;
  const lastForwardId = lossTensor.origin.kind === 'node' ? lossTensor.origin.node.id : Infinity;

  const profiles = join(REPOSITORY, 'bench', '.profiles');
  const prefix = `${size.name}-${task}`;
  mkdirSync(profiles, { recursive: true });
  for (const old of readdirSync(profiles).filter((f) => f.startsWith(prefix))) rmSync(join(profiles, old));
  const session = await ort.InferenceSession.create(encodeModel(built.graph), {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    enableProfiling: true,
    profileFilePrefix: join(profiles, prefix),
  });
  const n = size.batch * size.seq;
  const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 7919) % size.vocab));
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, [size.batch, size.seq]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [size.batch, size.seq]),
    completion_mask: new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => (i % size.seq >= size.seq / 4 ? 1n : 0n)), [size.batch, size.seq]),
  };
  const params = new Map(built.parameterInputs.map((name) => [name, weights.get(name)!.data]));
  const optimizer = task === 'train' ? new AdamW(params, { lr: 1e-4, weightDecay: 0.01 }) : undefined;
  if (task === 'train') {
    feeds.targets = new ort.Tensor('float32', new Float32Array(size.batch).fill(0.5), [size.batch]);
    feeds.ref_logps = new ort.Tensor('float32', new Float32Array(size.batch).fill(-300), [size.batch]);
    feeds.beta = new ort.Tensor('float32', Float32Array.of(0.1), []);
  }
  const runTimes: number[] = [];
  const optimizerTimes: number[] = [];
  for (let i = 0; i <= runs; i++) {
    for (const [name, data] of params) feeds[name] = new ort.Tensor('float32', data, [...weights.get(name)!.shape]);
    const start = process.hrtime.bigint();
    const out = await session.run(feeds);
    if (i > 0) runTimes.push(seconds(start));
    if (optimizer) {
      const grads = new Map([...params.keys()].map((name) => [name, out[`grad.${name}`].data as Float32Array]));
      const optStart = process.hrtime.bigint();
      optimizer.step(grads);
      if (i > 0) optimizerTimes.push(seconds(optStart));
    }
  }
  // onnxruntime-node's endProfiling() writes <prefix>_<timestamp>.json and returns nothing.
  await session.endProfiling();
  const file = readdirSync(profiles).find((f) => f.startsWith(prefix) && f.endsWith('.json'));
  if (!file) throw new Error(`onnxruntime wrote no profile ${prefix}_*.json in ${profiles}`);
  const events: ProfileEvent[] = JSON.parse(readFileSync(join(profiles, file), 'utf8'));

  // The first model_run is the warm-up: keep node events inside the later ones.
  const modelRuns = events.filter((e) => e.name === 'model_run').sort((a, b) => a.ts - b.ts).slice(1);
  const inTimedRun = (e: ProfileEvent) => modelRuns.some((r) => e.ts >= r.ts && e.ts <= r.ts + r.dur);
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && inTimedRun(e));
  const perRun = (us: number) => us / 1000 / modelRuns.length;
  const runMs = perRun(modelRuns.reduce((s, r) => s + r.dur, 0));
  const kernelMs = perRun(kernels.reduce((s, e) => s + e.dur, 0));
  // ORT renames fused nodes after the first node it fused (`MatMul_1569/MatmulTransposeFusion/`): keep that id.
  const nodeId = (e: ProfileEvent) => Number(/^[A-Za-z]+_(\d+)/.exec(e.name)?.[1] ?? NaN);
  const unknown = kernels.filter((e) => Number.isNaN(nodeId(e)));
  if (unknown.length > 0) console.warn(`kernels without an IR node id (counted as forward): ${[...new Set(unknown.map((e) => e.name))].slice(0, 5).join(', ')}`);
  const backward = kernels.filter((e) => nodeId(e) > lastForwardId);
  const backwardMs = perRun(backward.reduce((s, e) => s + e.dur, 0));

  console.log(`${task} ${size.name}: batch=${size.batch} seq=${size.seq} threads=1, ${runs} profiled runs after 1 warm-up`);
  console.log(`session.run wall (JS) median ${(median(runTimes) * 1000).toFixed(1)} ms; onnxruntime model_run ${runMs.toFixed(1)} ms; kernels ${kernelMs.toFixed(1)} ms ` +
    `(forward ${(kernelMs - backwardMs).toFixed(1)} ms, backward ${backwardMs.toFixed(1)} ms); outside kernels ${(runMs - kernelMs).toFixed(1)} ms`);
  if (optimizer) console.log(`AdamW step (wasm SIMD, ${(([...params.values()].reduce((s, p) => s + p.length, 0)) / 1e6).toFixed(1)}M params) median ${(median(optimizerTimes) * 1000).toFixed(1)} ms`);

  const byOp = new Map<string, { ms: number; count: number; backwardMs: number }>();
  for (const e of kernels) {
    const op = e.args?.op_name ?? '?';
    const entry = byOp.get(op) ?? { ms: 0, count: 0, backwardMs: 0 };
    entry.ms += perRun(e.dur);
    entry.count += 1 / modelRuns.length;
    if (nodeId(e) > lastForwardId) entry.backwardMs += perRun(e.dur);
    byOp.set(op, entry);
  }
  console.log('\nop type            ms/run   % of kernels   nodes   of which backward ms');
  for (const [op, { ms, count, backwardMs: b }] of [...byOp].sort((x, y) => y[1].ms - x[1].ms).slice(0, top)) {
    console.log(`${op.padEnd(18)} ${ms.toFixed(1).padStart(7)}   ${((100 * ms) / kernelMs).toFixed(1).padStart(6)}%   ${Math.round(count).toString().padStart(6)}   ${b.toFixed(1).padStart(8)}`);
  }

  const byNode = new Map<string, { ms: number; event: ProfileEvent }>();
  for (const e of kernels) {
    const entry = byNode.get(e.name) ?? { ms: 0, event: e };
    entry.ms += perRun(e.dur);
    byNode.set(e.name, entry);
  }
  console.log(`\ntop ${top} nodes                  ms/run   %      pass      inputs → outputs`);
  for (const [name, { ms, event }] of [...byNode].sort((x, y) => y[1].ms - x[1].ms).slice(0, top)) {
    const pass = nodeId(event) > lastForwardId ? 'backward' : 'forward';
    console.log(`${name.replace('_kernel_time', '').padEnd(28)} ${ms.toFixed(1).padStart(7)} ${((100 * ms) / kernelMs).toFixed(1).padStart(5)}%  ${pass.padEnd(8)}  ${shapes(event.args?.input_type_shape)} → ${shapes(event.args?.output_type_shape)}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
