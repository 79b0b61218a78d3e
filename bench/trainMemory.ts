// Step time and peak RSS of our training step under session and process settings, one fresh process per
// variant, run one after another (not interleaved: compare within one invocation, under the same load).
//   node bench/run.mjs trainMemory [--size gpt2-124m] [--variants default,no-arena,prealloc] [--steps 4]
// A variant's name switches settings on: no-arena (GraphSession memoryArena false), no-pattern (memoryPattern
// false), prealloc (gradients written into the same arrays every step), gc (a full collection after each step);
// `default` is none of them. GLIBC_TUNABLES and the like can be set by hand around the whole run.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelWeights, readDecoderConfig } from '../src/qrpo/model';
import { buildTrainingGraph } from '../src/qrpo/model/graphs';
import { type Feed, GraphSession } from '../src/qrpo/runtime/session';
import { AdamW } from '../src/qrpo/train/adamw';
import { benchSize, ensureModel } from './benchModels';

const MB = 1024 * 1024;
const maxRss = () => (process.resourceUsage().maxRSS * 1024) / MB;

async function variant(name: string, sizeName: string, steps: number): Promise<void> {
  const size = benchSize(sizeName);
  const dir = await ensureModel(size);
  const config = await readDecoderConfig(dir);
  const weights = await loadModelWeights(dir, config);
  const batch = JSON.parse(readFileSync(join(__dirname, `batch-${size.name}.json`), 'utf8'));
  const phases: string[] = [`loaded ${(process.memoryUsage().rss / MB).toFixed(0)}`];
  const { graph, parameterInputs } = buildTrainingGraph(config, weights, { loss: { kind: 'qrpo' } });
  const session = await GraphSession.create(graph, { threads: 1, memoryArena: !name.includes('no-arena'), memoryPattern: !name.includes('no-pattern') });
  phases.push(`session ${(process.memoryUsage().rss / MB).toFixed(0)}`);
  const dims = [size.batch, size.seq];
  const int64 = (rows: number[][]) => ({ data: BigInt64Array.from(rows.flat(), (v) => BigInt(v)), dims });
  const params = new Map(parameterInputs.map((n) => [n, weights.get(n)!.data as Float32Array]));
  const feeds: Record<string, Feed> = {
    input_ids: int64(batch.input_ids),
    attention_mask: int64(batch.attention_mask),
    completion_mask: int64(batch.completion_mask),
    targets: { data: Float32Array.from(batch.targets), dims: [size.batch] },
    ref_logps: { data: Float32Array.from(batch.ref_logps), dims: [size.batch] },
    beta: Float32Array.of(batch.beta),
    ...Object.fromEntries(params),
  };
  const into = name.includes('prealloc') ? Object.fromEntries(parameterInputs.map((n) => [`grad.${n}`, new Float32Array(params.get(n)!.length)])) : undefined;
  const optimizer = new AdamW(params, { lr: 1e-4, weightDecay: 0.01 });
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let loss = 0;
  for (let i = 0; i < steps; i++) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    const out = await session.run(feeds, into);
    const graphMs = Number(process.hrtime.bigint() - start) / 1e6;
    const cpuUsed = process.cpuUsage(cpuStart);
    cpuTimes.push((cpuUsed.user + cpuUsed.system) / 1e3);
    const grads = new Map(parameterInputs.map((n) => [n, out[`grad.${n}`].data as Float32Array]));
    optimizer.step(grads);
    if (name.includes('gc')) (globalThis as { gc?: () => void }).gc?.();
    times.push(graphMs);
    phases.push(`step ${i} peak ${maxRss().toFixed(0)} now ${(process.memoryUsage().rss / MB).toFixed(0)}`);
    loss = (out.loss.data as Float32Array)[0];
  }
  const cpu = process.cpuUsage();
  console.log(
    `${sizeName} ${name.padEnd(9)} ${process.env.GLIBC_TUNABLES ?? ''} graph ms per step: wall ${times.map((t) => t.toFixed(0)).join(' ')}, cpu ${cpuTimes.map((t) => t.toFixed(0)).join(' ')}; ` +
      `peak RSS ${maxRss().toFixed(0)} MB; rss ${(process.memoryUsage().rss / MB).toFixed(0)} MB; last loss ${loss.toFixed(6)}; cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s\n    rss MB: ${phases.join(', ')}`,
  );
}

const argument = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

if (process.argv[2] === '--variant') {
  variant(process.argv[3], process.argv[4], Number(process.argv[5])).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  const size = argument('--size') ?? 'gpt2-124m';
  const steps = argument('--steps') ?? '4';
  for (const name of (argument('--variants') ?? 'default,no-arena,prealloc').split(',')) {
    process.stdout.write(execFileSync(process.execPath, ['--expose-gc', __filename, '--variant', name, size, steps], { encoding: 'utf8' }));
  }
}
