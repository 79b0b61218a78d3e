// A minimal onnxruntime-node session over a graph from src/qrpo/graph: choose the execution provider and thread
// count, feed named typed arrays, get named outputs back. Device-resident tensors come later (engine-notes.md).
import * as ort from 'onnxruntime-node';
import { QrpoError } from '../errors';
import { DType, Graph, TensorData, isConcrete } from '../graph';
import { encodeModel, liveInputNames } from '../graph/onnxEmit';

export type ExecutionProvider = 'cpu' | 'webgpu' | 'cuda';

export interface GraphSessionOptions {
  executionProvider?: ExecutionProvider;
  /** Intra-op threads; 1 is fastest on small shared machines (engine-notes.md). */
  threads?: number;
  /** Graph outputs to compute (default: all); a forward-only subset skips the backward entirely. */
  outputs?: readonly string[];
}

export interface TensorValue {
  readonly data: TensorData;
  readonly dims: readonly number[];
}

/** A provider this onnxruntime-node build or machine cannot use: the user picks another or installs its libraries. */
export class ExecutionProviderError extends QrpoError {}

const ORT_TYPE: Record<DType, ort.Tensor.Type> = { float32: 'float32', float64: 'float64', int64: 'int64', bool: 'bool' };

export class GraphSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputs: ReadonlyMap<string, { dtype: DType; shape: readonly (number | string)[] }>,
    private readonly prunedInputs: ReadonlySet<string>,
  ) {}

  static async create(graph: Graph, options: GraphSessionOptions = {}): Promise<GraphSession> {
    const provider = options.executionProvider ?? 'cpu';
    checkProviderListed(provider);
    const bytes = encodeModel(graph, { outputs: options.outputs });
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        executionProviders: [provider],
        intraOpNumThreads: options.threads ?? 1,
        interOpNumThreads: 1,
      });
    } catch (error) {
      if (provider === 'cpu') throw error;
      throw providerError(provider, error instanceof Error ? error.message.split('\n')[0] : String(error));
    }
    const live = new Set(liveInputNames(graph, { outputs: options.outputs }));
    const inputs = new Map<string, { dtype: DType; shape: readonly (number | string)[] }>();
    const pruned = new Set<string>();
    for (const t of graph.inputs) {
      if (t.origin.kind !== 'input') continue;
      if (live.has(t.origin.name)) inputs.set(t.origin.name, { dtype: t.dtype, shape: t.shape });
      else pruned.add(t.origin.name);
    }
    return new GraphSession(session, inputs, pruned);
  }

  get inputNames(): string[] {
    return [...this.inputs.keys()];
  }

  /**
   * Runs with named inputs: a typed array alone where the input's shape is concrete, or {data, dims}. Inputs the
   * requested outputs do not need may be passed and are ignored.
   */
  async run(feeds: Readonly<Record<string, TensorData | TensorValue>>): Promise<Record<string, TensorValue>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, value] of Object.entries(feeds)) {
      if (this.prunedInputs.has(name)) continue;
      const input = this.inputs.get(name);
      if (!input) throw new QrpoError(`graph has no input named '${name}'`, `Inputs are ${this.inputNames.join(', ')}`);
      const { data, dims } = 'dims' in value ? value : { data: value as TensorData, dims: concreteDims(name, input.shape) };
      ortFeeds[name] = new ort.Tensor(ORT_TYPE[input.dtype], data, [...dims]);
    }
    for (const name of this.inputs.keys()) {
      if (!(name in ortFeeds)) throw new QrpoError(`input '${name}' was not fed`);
    }
    const results = await this.session.run(ortFeeds);
    const out: Record<string, TensorValue> = {};
    for (const [name, tensor] of Object.entries(results)) out[name] = { data: tensor.data as TensorData, dims: [...tensor.dims] };
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function concreteDims(name: string, shape: readonly (number | string)[]): readonly number[] {
  if (!isConcrete(shape)) throw new QrpoError(`input '${name}' has symbolic dims [${shape.join(', ')}]; pass { data, dims }`);
  return shape;
}

function bundledProviders(): string[] {
  return ort.listSupportedBackends().filter((b) => b.bundled).map((b) => b.name);
}

function checkProviderListed(provider: ExecutionProvider): void {
  if (!ort.listSupportedBackends().some((b) => b.name === provider)) throw providerError(provider, 'this build does not include it');
}

function providerError(provider: ExecutionProvider, reason: string): ExecutionProviderError {
  const hint = provider === 'cuda' ? 'CUDA needs the onnxruntime CUDA provider libraries, which a VSIX does not install' : undefined;
  return new ExecutionProviderError(`onnxruntime-node cannot use the ${provider} execution provider here: ${reason}. Available: ${bundledProviders().join(', ')}`, hint);
}
