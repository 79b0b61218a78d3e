// Generation throughput against transformers.js 4.3.1 on the same ONNX file: our decoding graph
// (buildDecodingGraph, logits of every new position) exported in the layout transformers.js loads
// (<folder>/onnx/model.onnx + config.json + tokenizer files + generation_config.json, HF Optimum I/O names), then
//   ours-onnx     our `generate` (src/qrpo/sample) over an onnxruntime session of that exported file,
//   transformers  transformers.js AutoModelForCausalLM.generate over the same file,
//   ours-decoder  our product path, loadGenerator() → OnnxDecoder (its own graph: last-position logits only),
// greedy, the same prompts and max_new_tokens, one thread each, each in its own process, timed interleaved.
//   node bench/run.mjs generationBench [--sizes gpt2-11m,gpt2-124m] [--batches 1,8] [--runs 3]
// The peer is installed on demand into bench/.peers (ONNXRUNTIME_NODE_INSTALL=skip; npm registry only).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { toModelProto } from '../src/qrpo/graph';
import { loadModelWeights, readDecoderConfig } from '../src/qrpo/model';
import { buildDecodingGraph, pastKeyName, pastValueName, presentKeyName, presentValueName } from '../src/qrpo/model/graphs';
import { type DecoderStep, generate, loadGenerator } from '../src/qrpo/sample';
import { onnx } from 'onnx-proto';
import { type BenchSize, MODELS_DIR, REPOSITORY, benchSize, ensureModel } from './benchModels';
import { BenchWorker, type Message, median, seconds, serveWorker } from './benchWorkers';

const PEERS_DIR = join(REPOSITORY, 'bench', '.peers');
const TRANSFORMERS_VERSION = '4.3.1';
const PROMPT_LENGTH = 8;
// The two small models have 64 positions: prompt + new tokens must fit.
const MAX_NEW_TOKENS: Record<string, number> = { 'gpt2-0.5m': 48, 'gpt2-11m': 48, 'gpt2-124m': 32 };
const CONTENDERS = ['ours-onnx', 'transformers', 'ours-decoder'] as const;
type Contender = (typeof CONTENDERS)[number];

/** HF Optimum's symbolic dim names: transformers.js sizes the empty first-step cache by looking these up. */
const OPTIMUM_DIMS: Record<string, string> = {
  batch: 'batch_size',
  seq: 'sequence_length',
  past: 'past_sequence_length',
  'past+seq': 'total_sequence_length',
};

/** Writes <MODELS_DIR>/<size>-onnx/: the decoding graph as onnx/model.onnx beside the source folder's files. */
async function exportForTransformersJs(size: BenchSize): Promise<string> {
  const source = await ensureModel(size);
  const dir = join(MODELS_DIR, `${size.name}-onnx`);
  const stamp = join(dir, '.bench-stamp');
  const expected = readFileSync(join(source, '.bench-stamp'), 'utf8');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === expected) return dir;
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const config = await readDecoderConfig(source);
  const weights = await loadModelWeights(source, config);
  // transformers.js reads logits[:, -1, :] of a [batch, seq, vocab] output, so every new position's logits.
  const { graph } = buildDecodingGraph(config, weights, { logits: 'all' });
  const proto = toModelProto(graph, { name: `${size.name}-decoder` });
  for (const value of [...(proto.graph!.input ?? []), ...(proto.graph!.output ?? [])]) {
    for (const dim of value.type?.tensorType?.shape?.dim ?? []) {
      if (dim.dimParam) dim.dimParam = OPTIMUM_DIMS[dim.dimParam] ?? dim.dimParam;
    }
  }
  writeFileSync(join(dir, 'onnx', 'model.onnx'), onnx.ModelProto.encode(proto).finish());
  for (const file of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(source, file), join(dir, file));
  // Random weights may emit any id; an EOS id outside the vocabulary never stops a row, so every run generates
  // exactly max_new_tokens on both sides (ours is given no EOS ids at all).
  const hfConfig = JSON.parse(readFileSync(join(source, 'config.json'), 'utf8'));
  const neverEos = size.vocab;
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...hfConfig, eos_token_id: neverEos, bos_token_id: neverEos }, null, 2));
  writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: neverEos, bos_token_id: neverEos }, null, 2));
  writeFileSync(stamp, expected);
  return dir;
}

function ensurePeer(): void {
  const installed = join(PEERS_DIR, 'node_modules', '@huggingface', 'transformers', 'package.json');
  if (existsSync(installed) && JSON.parse(readFileSync(installed, 'utf8')).version === TRANSFORMERS_VERSION) return;
  console.log(`installing @huggingface/transformers@${TRANSFORMERS_VERSION} into ${PEERS_DIR} (~470 MB, once)…`);
  mkdirSync(PEERS_DIR, { recursive: true });
  execFileSync('npm', ['install', '--prefix', PEERS_DIR, '--save-exact', '--no-audit', '--no-fund', `@huggingface/transformers@${TRANSFORMERS_VERSION}`], {
    stdio: 'inherit',
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
}

interface Prompts {
  prompts: number[][];
  maxNewTokens: number;
}

// ---------------------------------------------------------------- workers

/** Our DecoderStep over an onnxruntime session of the exported file (logits [batch, seq, vocab]: last position kept). */
function exportedFileStep(session: ort.InferenceSession, layers: number, kvHeads: number, headDim: number): DecoderStep<Record<string, ort.Tensor>> {
  const step: DecoderStep<Record<string, ort.Tensor>> = async (input) => {
    const { batchSize, newLength, pastLength } = input;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', input.inputIds, [batchSize, newLength]),
      attention_mask: new ort.Tensor('int64', input.attentionMask, [batchSize, pastLength + newLength]),
      position_ids: new ort.Tensor('int64', input.positionIds, [batchSize, newLength]),
    };
    const empty = new ort.Tensor('float32', new Float32Array(0), [batchSize, kvHeads, 0, headDim]);
    for (let i = 0; i < layers; i++) {
      feeds[pastKeyName(i)] = input.past?.[presentKeyName(i)] ?? empty;
      feeds[pastValueName(i)] = input.past?.[presentValueName(i)] ?? empty;
    }
    const out = await session.run(feeds);
    if (input.past) for (const t of Object.values(input.past)) t.dispose();
    const present: Record<string, ort.Tensor> = {};
    for (let i = 0; i < layers; i++) for (const name of [presentKeyName(i), presentValueName(i)]) present[name] = out[name];
    const all = out.logits.data as Float32Array;
    const vocab = out.logits.dims[2];
    let logits = all;
    if (newLength > 1) {
      logits = new Float32Array(batchSize * vocab);
      for (let b = 0; b < batchSize; b++) logits.set(all.subarray(((b + 1) * newLength - 1) * vocab, (b + 1) * newLength * vocab), b * vocab);
    }
    return { logits, vocabSize: vocab, present };
  };
  step.release = (cache) => Object.values(cache).forEach((t) => t.dispose());
  return step;
}

async function worker(contender: Contender, sizeName: string, promptsFile: string): Promise<void> {
  const size = benchSize(sizeName);
  const { prompts, maxNewTokens }: Prompts = JSON.parse(readFileSync(promptsFile, 'utf8'));
  const exported = join(MODELS_DIR, `${size.name}-onnx`);
  await serveWorker(async () => {
    let generateOnce: () => Promise<number[][]>;
    if (contender === 'transformers') {
      const transformers = createRequire(join(PEERS_DIR, 'package.json'))('@huggingface/transformers');
      transformers.env.allowRemoteModels = false;
      const model = await transformers.AutoModelForCausalLM.from_pretrained(exported, {
        local_files_only: true,
        dtype: 'fp32',
        device: 'cpu',
        session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
      });
      const dims = [prompts.length, prompts[0].length];
      const inputIds = new transformers.Tensor('int64', BigInt64Array.from(prompts.flat(), BigInt), dims);
      const attentionMask = new transformers.Tensor('int64', new BigInt64Array(prompts.length * prompts[0].length).fill(1n), dims);
      generateOnce = async () => {
        const out = await model.generate({ input_ids: inputIds, attention_mask: attentionMask, max_new_tokens: maxNewTokens, do_sample: false });
        const rows: bigint[][] = out.tolist();
        return rows.map((row) => row.slice(prompts[0].length).map(Number));
      };
    } else {
      let step: DecoderStep<unknown>;
      if (contender === 'ours-onnx') {
        const config = await readDecoderConfig(exported);
        const session = await ort.InferenceSession.create(join(exported, 'onnx', 'model.onnx'), { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
        step = exportedFileStep(session, config.numLayers, config.numKeyValueHeads, config.headDim) as DecoderStep<unknown>;
      } else {
        const { decoder } = await loadGenerator(join(MODELS_DIR, size.name), { threads: 1 });
        step = decoder.step as DecoderStep<unknown>;
      }
      generateOnce = async () => {
        const out = await generate(step, {
          prompts,
          maxNewTokens,
          sampling: { temperature: 0 },
          eosTokenIds: [],
          padTokenId: 0,
          batchSize: prompts.length,
        });
        return out.map((s) => s.tokenIds);
      };
    }
    const run = async () => {
      const start = process.hrtime.bigint();
      const rows = await generateOnce();
      return { seconds: seconds(start), tokens: rows.reduce((n, r) => n + r.length, 0), row0: rows[0] };
    };
    await run();
    return { info: {}, run };
  });
}

// ---------------------------------------------------------------- parent

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function main(): Promise<void> {
  if (process.argv[2] === '--worker') return worker(process.argv[3] as Contender, process.argv[4], process.argv[5]);
  const sizes = (argument('--sizes')?.split(',') ?? ['gpt2-11m', 'gpt2-124m']).map(benchSize);
  const batches = (argument('--batches') ?? '1,8').split(',').map(Number);
  const runs = Number(argument('--runs') ?? 3);
  ensurePeer();
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'))?.split(':')[1].trim();
  const machine = `${cpu}, ${cpus().length} vCPU`;
  console.log(`machine: ${machine}; Node ${process.version}; transformers.js ${TRANSFORMERS_VERSION} and ours both on onnxruntime-node 1.30.0; threads=1 each; greedy`);
  const outDir = join(REPOSITORY, 'bench', '.out');
  mkdirSync(outDir, { recursive: true });
  const results: Message[] = [];
  for (const size of sizes) {
    await exportForTransformersJs(size);
    for (const batch of batches) {
      let state = 777;
      const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
      const maxNewTokens = MAX_NEW_TOKENS[size.name];
      const prompts = Array.from({ length: batch }, () => Array.from({ length: PROMPT_LENGTH }, () => next() % size.vocab));
      const promptsFile = join(outDir, `prompts-${size.name}-b${batch}.json`);
      writeFileSync(promptsFile, JSON.stringify({ prompts, maxNewTokens } satisfies Prompts));
      const workers = CONTENDERS.map((c) => BenchWorker.start(c, process.execPath, [__filename, '--worker', c, size.name, promptsFile]));
      for (const w of workers) await w.ready;
      const replies: Message[][] = CONTENDERS.map(() => []);
      for (let i = 0; i < runs; i++) for (const [k, w] of workers.entries()) replies[k].push(await w.request('run'));
      const rss: Message[] = [];
      for (const w of workers) rss.push(await w.request('rss'));
      await Promise.all(workers.map((w) => w.stop()));
      const tokensPerSecond = replies.map((r) => (r[0].tokens as number) / median(r.map((x) => x.seconds as number)));
      const sameTokens = replies.every((r) => JSON.stringify(r[0].row0) === JSON.stringify(replies[0][0].row0));
      const [ours, peer, product] = tokensPerSecond;
      console.log(
        `generate ${size.name.padEnd(9)} machine="${machine}" threads=1 batch=${batch} prompt=${PROMPT_LENGTH} new=${maxNewTokens} greedy  ` +
          `ours ${fmt(ours, 1)} tok/s  transformers.js ${fmt(peer, 1)} tok/s  ratio ${fmt(ours / peer, 2)}×  ` +
          `(same model.onnx; median of ${runs}, interleaved)`,
      );
      console.log(
        `      ours via loadGenerator/OnnxDecoder ${fmt(product, 1)} tok/s (${fmt(product / peer, 2)}× transformers.js); ` +
          `peak RSS ours ${fmt((rss[0].maxRssKB as number) / 1024)} MB, transformers.js ${fmt((rss[1].maxRssKB as number) / 1024)} MB, OnnxDecoder ${fmt((rss[2].maxRssKB as number) / 1024)} MB; ` +
          `greedy tokens identical across all three: ${sameTokens ? 'yes' : 'NO'}`,
      );
      results.push({ size: size.name, batch, prompt: PROMPT_LENGTH, maxNewTokens, runs, tokensPerSecond: Object.fromEntries(CONTENDERS.map((c, k) => [c, tokensPerSecond[k]])), maxRssMB: Object.fromEntries(CONTENDERS.map((c, k) => [c, (rss[k].maxRssKB as number) / 1024])), sameTokens });
    }
  }
  const file = join(outDir, 'generationBench-results.json');
  writeFileSync(file, JSON.stringify({ machine, results }, null, 2));
  console.log(`results: ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
