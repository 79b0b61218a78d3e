// The DecoderStep of a Hugging Face causal LM: its decoding graph (model/graphs/decodingGraph.ts, weights as
// initializers) in one onnxruntime session, the KV cache passed from step to step as onnxruntime tensors. On WebGPU
// the cache stays on the device between steps and only the logits come back (engine-notes.md).
import type * as ort from 'onnxruntime-node';
import { type DecoderConfig, type FrozenWeights, loadFrozenModelWeights, readDecoderConfig } from '../model';
import { buildDecodingGraph, pastKeyName, pastValueName, presentKeyName, presentValueName } from '../model/graphs';
import { type TextTokenizer, checkVocabulary, loadTokenizer } from '../model/tokenizer';
import { GraphSession, type ExecutionProvider } from '../runtime';
import type { DecoderStep } from './decoderStep';

/** present.<i>.key / present.<i>.value of every layer, as the session returned them. */
export type KvCache = Readonly<Record<string, ort.Tensor>>;

export interface OnnxDecoderOptions {
  readonly executionProvider?: ExecutionProvider;
  readonly threads?: number;
}

export class OnnxDecoder {
  readonly step: DecoderStep<KvCache>;

  private constructor(
    private readonly session: GraphSession,
    readonly config: DecoderConfig,
  ) {
    const presentNames = Array.from({ length: config.numLayers }, (_, i) => [presentKeyName(i), presentValueName(i)]).flat();
    const step: DecoderStep<KvCache> = async (input) => {
      const { batchSize, newLength, pastLength } = input;
      const feeds: Record<string, ort.Tensor | { data: Float32Array | BigInt64Array; dims: number[] }> = {
        input_ids: { data: input.inputIds, dims: [batchSize, newLength] },
        attention_mask: { data: input.attentionMask, dims: [batchSize, pastLength + newLength] },
        position_ids: { data: input.positionIds, dims: [batchSize, newLength] },
      };
      const empty = { data: new Float32Array(0), dims: [batchSize, config.numKeyValueHeads, 0, config.headDim] };
      for (let i = 0; i < config.numLayers; i++) {
        feeds[pastKeyName(i)] = input.past?.[presentKeyName(i)] ?? empty;
        feeds[pastValueName(i)] = input.past?.[presentValueName(i)] ?? empty;
      }
      const out = await this.session.runTensors(feeds);
      // Generation feeds each cache exactly once, so the previous one can go (it may hold GPU memory).
      if (input.past) releaseCache(input.past);
      const present: Record<string, ort.Tensor> = {};
      for (const name of presentNames) present[name] = out[name];
      const logits = out.logits;
      return { logits: logits.data as Float32Array, vocabSize: logits.dims[logits.dims.length - 1], present };
    };
    step.release = releaseCache;
    this.step = step;
  }

  static async create(config: DecoderConfig, weights: FrozenWeights, options: OnnxDecoderOptions = {}): Promise<OnnxDecoder> {
    const { graph } = buildDecodingGraph(config, weights);
    const provider = options.executionProvider ?? 'cpu';
    const presentNames = graph.outputs.map((o) => o.name).filter((name) => name.startsWith('present.'));
    const session = await GraphSession.create(graph, {
      executionProvider: provider,
      threads: options.threads,
      ...(provider === 'webgpu' ? { deviceOutputs: presentNames } : {}),
    });
    return new OnnxDecoder(session, config);
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

export interface LoadedGenerator {
  readonly config: DecoderConfig;
  readonly tokenizer: TextTokenizer;
  readonly decoder: OnnxDecoder;
}

/**
 * A model folder ready to generate: config, tokenizer (checked against the embedding), weights in a decoding session
 * that reads the float32 ones from the checkpoint itself (no JS copy of them is made).
 */
export async function loadGenerator(folder: string, options: OnnxDecoderOptions = {}): Promise<LoadedGenerator> {
  const config = await readDecoderConfig(folder);
  const tokenizer = await loadTokenizer(folder);
  checkVocabulary(tokenizer, config);
  const weights = await loadFrozenModelWeights(folder, config, { tokenizerVocabSize: tokenizer.vocabSize });
  return { config, tokenizer, decoder: await OnnxDecoder.create(config, weights, options) };
}

function releaseCache(cache: KvCache): void {
  for (const tensor of Object.values(cache)) tensor.dispose();
}
