// Peak RSS of building a scoring session, one fresh process per variant: from weights read into JS, as model bytes
// with the weights inline (`inline`: encodeModel) or as in-memory external data that views the weights' own arrays
// (`external`, and `external-noprepack` with onnxruntime's prepacking off); or, as the product builds it now, with
// the float32 weights left in the safetensors file for onnxruntime to read (`file`: loadFrozenModelWeights and
// GraphSession).
//   node bench/run.mjs sessionMemory [--size gpt2-124m] [--variants inline,external,external-noprepack,file]
import { execFileSync } from 'node:child_process';
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../src/qrpo/graph';
import { encodeModelWithExternalData } from '../src/qrpo/graph/onnxEmit';
import { loadFrozenModelWeights, loadModelWeights, readDecoderConfig } from '../src/qrpo/model';
import { GraphSession } from '../src/qrpo/runtime/session';
import { buildScoringGraph } from '../src/qrpo/model/graphs';
import { benchSize, ensureModel } from './benchModels';

const MB = 1024 * 1024;
const maxRss = () => (process.resourceUsage().maxRSS * 1024) / MB;
const rss = () => process.memoryUsage().rss / MB;

async function variant(name: string, sizeName: string): Promise<void> {
  const size = benchSize(sizeName);
  const dir = await ensureModel(size);
  const config = await readDecoderConfig(dir);
  const weights = name === 'file' ? await loadFrozenModelWeights(dir, config) : await loadModelWeights(dir, config);
  const { graph } = buildScoringGraph(config, weights);
  const loaded = rss();
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 };
  const start = process.hrtime.bigint();
  let run: (feeds: Record<string, ort.Tensor>) => Promise<Record<string, ort.Tensor>>;
  if (name === 'file') {
    const session = await GraphSession.create(graph, { threads: 1 });
    run = (feeds) => session.runTensors(feeds);
  } else {
    let session: ort.InferenceSession;
    if (name === 'inline') {
      session = await ort.InferenceSession.create(encodeModel(graph), options);
    } else {
      const { model, externalData } = encodeModelWithExternalData(graph);
      const extra = name === 'external-noprepack' ? { extra: { session: { disable_prepacking: '1' } } } : {};
      session = await ort.InferenceSession.create(model, { ...options, ...extra, externalData: externalData.map(({ path, data }) => ({ path, data })) });
    }
    run = (feeds) => session.run(feeds);
  }
  const created = Number(process.hrtime.bigint() - start) / 1e9;
  const afterCreate = rss();
  const T = size.seq;
  const ids = { data: BigInt64Array.from({ length: size.batch * T }, (_, i) => BigInt(i % 500)), dims: [size.batch, T] };
  const feeds = {
    input_ids: new ort.Tensor('int64', ids.data, ids.dims),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(size.batch * T).fill(1n), ids.dims),
    completion_mask: new ort.Tensor('int64', new BigInt64Array(size.batch * T).fill(1n), ids.dims),
  };
  const runStart = process.hrtime.bigint();
  const out = await run(feeds);
  const ran = Number(process.hrtime.bigint() - runStart) / 1e9;
  console.log(
    `${sizeName} ${name.padEnd(8)} weights loaded: rss ${loaded.toFixed(0)} MB; session created in ${created.toFixed(2)} s, rss ${afterCreate.toFixed(0)} MB; ` +
      `after one run: rss ${rss().toFixed(0)} MB, peak ${maxRss().toFixed(0)} MB; run ${ran.toFixed(2)} s; logp[0] ${(out.logp.data as Float32Array)[0].toFixed(4)}`,
  );
}

const argument = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

if (process.argv[2] === '--variant') {
  variant(process.argv[3], process.argv[4]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  const size = argument('--size') ?? 'gpt2-124m';
  for (const name of (argument('--variants') ?? 'inline,external,external-noprepack,file').split(',')) {
    process.stdout.write(execFileSync(process.execPath, [__filename, '--variant', name, size], { encoding: 'utf8' }));
  }
}
