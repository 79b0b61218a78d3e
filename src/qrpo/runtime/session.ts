// An onnxruntime-node session over a graph from src/qrpo/graph: choose the execution provider and thread count,
// feed named typed arrays, get named outputs back. Constants reach onnxruntime as in-memory external data or, when the
// graph has file-backed ones (a checkpoint's float32 tensors), as external data it reads from those files itself. On
// WebGPU, chosen outputs can stay on the device (`deviceOutputs`) and be fed back as inputs; runTensors() hands those
// over as onnxruntime tensors, and tensorStore.ts owns them.
import { promises as fs } from 'node:fs';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as ort from 'onnxruntime-node';
import { ModelFormatError, QrpoError } from '../errors';
import { DType, FileRegion, Graph, TensorData, isConcrete } from '../graph';
import { encodeModelWithExternalData, liveFileRegions, liveInputNames } from '../graph/onnxEmit';
import { ExecutionProvider, ExecutionProviderError, providerError, requireExecutionProvider } from './providers';

export { ExecutionProviderError };
export type { ExecutionProvider };

export interface GraphSessionOptions {
  executionProvider?: ExecutionProvider;
  /** Intra-op threads; 1 is fastest on small shared machines (engine-notes.md). */
  threads?: number;
  /** Graph outputs to compute (default: all); a forward-only subset skips the backward entirely. */
  outputs?: readonly string[];
  /**
   * Outputs that stay on the device (WebGPU only: `preferredOutputLocation: 'gpu-buffer'`), to be fed back as inputs
   * without a round trip through the CPU. Ignored by the other providers, whose outputs always land on the CPU
   * (onnxruntime-node has no device-resident I/O for CUDA). Read them with runTensors(), not run().
   */
  deviceOutputs?: readonly string[];
  /**
   * onnxruntime's CPU memory arena (default true). Off, every intermediate goes back to the allocator when its last
   * reader is done instead of staying in an arena that grows by powers of two. trainingSessionMemory() picks it.
   */
  memoryArena?: boolean;
  /**
   * onnxruntime's memory pattern (default true): one block sized for all intermediates of a run, planned from the
   * first. For a training graph it holds far more than the live peak. trainingSessionMemory() turns it off.
   */
  memoryPattern?: boolean;
}

/**
 * The memory settings of a training session, by the bytes of its trainable parameters (gradients and their
 * temporaries scale with them). Measured with bench/trainMemory.ts on one thread (docs/benchmarks.md, "Memory"):
 * without the memory pattern the 11M model's step peaked ~150 MB lower and GPT-2 small's ~330 MB lower, at the same
 * CPU time; without the arena GPT-2 small (498 MB of parameters) peaked another ~180 MB lower for ~10% more CPU
 * time, while the 11M model lost ~15% for ~70 MB, so the arena goes only for large models.
 */
export function trainingSessionMemory(trainableBytes: number): Pick<GraphSessionOptions, 'memoryArena' | 'memoryPattern'> {
  return { memoryArena: trainableBytes < 256 * 1024 * 1024, memoryPattern: false };
}

/** Output buffers that a run writes into instead of returning fresh arrays (gradients reused step after step). */
export type OutputBuffers = Readonly<Record<string, TensorData>>;

export interface TensorValue {
  readonly data: TensorData;
  readonly dims: readonly number[];
}

/** What a feed may be: a typed array (concrete shapes), {data, dims}, or an onnxruntime tensor (possibly on the GPU). */
export type Feed = TensorData | TensorValue | ort.Tensor;

interface InputInfo {
  readonly dtype: DType;
  readonly shape: readonly (number | string)[];
}

export const ORT_TYPE: Record<DType, ort.Tensor.Type> = { float32: 'float32', float64: 'float64', int64: 'int64', bool: 'bool' };

export class GraphSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputs: ReadonlyMap<string, InputInfo>,
    private readonly prunedInputs: ReadonlySet<string>,
    private readonly deviceOutputNames: ReadonlySet<string>,
    readonly executionProvider: ExecutionProvider,
    private readonly outputs: ReadonlyMap<string, InputInfo>,
  ) {}

  static async create(graph: Graph, options: GraphSessionOptions = {}): Promise<GraphSession> {
    const provider = options.executionProvider ?? 'cpu';
    // Tried once per process in a child first: a provider whose driver is missing may abort instead of throwing.
    if (provider !== 'cpu') await requireExecutionProvider(provider);
    const outputs = options.outputs ?? graph.outputs.map((o) => o.name);
    for (const name of options.deviceOutputs ?? []) {
      if (!outputs.includes(name)) throw new QrpoError(`deviceOutputs names '${name}', which is not among the outputs (${outputs.join(', ')})`);
    }
    const onDevice = provider === 'webgpu' ? (options.deviceOutputs ?? []) : [];
    const files = await externalDataFiles(liveFileRegions(graph, { outputs: options.outputs }));
    const { model, externalData } = encodeModelWithExternalData(graph, { outputs: options.outputs, fileLocation: files?.location });
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(model, {
        ...(externalData.length > 0 ? { externalData: externalData.map(({ path, data }) => ({ path, data })) } : {}),
        ...(files ? { extra: { session: { model_external_initializers_file_folder_path: files.folder } } } : {}),
        executionProviders: [provider],
        intraOpNumThreads: options.threads ?? 1,
        interOpNumThreads: 1,
        enableCpuMemArena: options.memoryArena ?? true,
        enableMemPattern: options.memoryPattern ?? true,
        ...(onDevice.length > 0 ? { preferredOutputLocation: Object.fromEntries(onDevice.map((n) => [n, 'gpu-buffer' as const])) } : {}),
      });
    } catch (error) {
      if (provider === 'cpu') throw error;
      throw providerError(provider, error instanceof Error ? error.message.split('\n')[0] : String(error));
    }
    const live = new Set(liveInputNames(graph, { outputs: options.outputs }));
    const inputs = new Map<string, InputInfo>();
    const pruned = new Set<string>();
    for (const t of graph.inputs) {
      if (t.origin.kind !== 'input') continue;
      if (live.has(t.origin.name)) inputs.set(t.origin.name, { dtype: t.dtype, shape: t.shape });
      else pruned.add(t.origin.name);
    }
    const outputInfo = new Map<string, InputInfo>(graph.outputs.filter((o) => outputs.includes(o.name)).map((o) => [o.name, { dtype: o.tensor.dtype, shape: o.tensor.shape }]));
    return new GraphSession(session, inputs, pruned, new Set(onDevice), provider, outputInfo);
  }

  get inputNames(): string[] {
    return [...this.inputs.keys()];
  }

  get outputNames(): string[] {
    return [...this.session.outputNames];
  }

  /** The outputs this session leaves on the device (empty except on WebGPU). */
  get deviceOutputs(): string[] {
    return [...this.deviceOutputNames];
  }

  /**
   * Runs with named inputs: a typed array alone where the input's shape is concrete, or {data, dims}. Inputs the
   * requested outputs do not need may be passed and are ignored. Outputs named in `into` are written into those
   * arrays (concrete shapes only), and returned as them: onnxruntime writes them in place rather than into memory of
   * its own, so a step's gradients need no fresh pages and no arena space (docs/benchmarks.md, "Memory").
   */
  async run(feeds: Readonly<Record<string, Feed>>, into?: OutputBuffers): Promise<Record<string, TensorValue>> {
    if (this.deviceOutputNames.size > 0) {
      throw new QrpoError(`outputs ${this.deviceOutputs.join(', ')} stay on the device`, 'Use runTensors() or a TensorStore, which can read them back');
    }
    if (!into) return tensorValues(await this.runTensors(feeds));
    const out = await this.runInto(feeds, into);
    // onnxruntime-node still returns a copy of each output written in place; they are garbage now. Collected only
    // when V8 next gets round to it, the copies of one step outlived the next (+400 MB at GPT-2 small).
    if (Object.values(into).reduce((n, data) => n + data.byteLength, 0) >= COLLECT_COPIES_BYTES) collectGarbage();
    return out;
  }

  private async runInto(feeds: Readonly<Record<string, Feed>>, into: OutputBuffers): Promise<Record<string, TensorValue>> {
    const fetches: Record<string, ort.Tensor | null> = Object.fromEntries(this.outputNames.map((name) => [name, null]));
    for (const [name, data] of Object.entries(into)) fetches[name] = this.outputBuffer(name, data);
    const out = tensorValues(await this.session.run(this.ortFeeds(feeds), fetches));
    for (const name of Object.keys(into)) out[name] = { data: into[name], dims: out[name].dims };
    return out;
  }

  private outputBuffer(name: string, data: TensorData): ort.Tensor {
    const info = this.outputs.get(name);
    if (!info) throw new QrpoError(`'${name}' is not an output of this session`, `Outputs are ${this.outputNames.join(', ')}`);
    return toOrtTensor(name, info, data);
  }

  /**
   * Runs and returns onnxruntime tensors as they are: those named in `deviceOutputs` are on the GPU, and the caller
   * owns them (dispose() each once it is no longer fed anywhere; never read `.data` or getData() from them in Node,
   * which aborts the process; see tensorStore.ts). `fetches` limits the outputs returned.
   */
  async runTensors(feeds: Readonly<Record<string, Feed>>, fetches?: readonly string[]): Promise<Record<string, ort.Tensor>> {
    const ortFeeds = this.ortFeeds(feeds);
    return fetches ? this.session.run(ortFeeds, [...fetches]) : this.session.run(ortFeeds);
  }

  private ortFeeds(feeds: Readonly<Record<string, Feed>>): Record<string, ort.Tensor> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, value] of Object.entries(feeds)) {
      if (this.prunedInputs.has(name)) continue;
      const input = this.inputs.get(name);
      if (!input) throw new QrpoError(`graph has no input named '${name}'`, `Inputs are ${this.inputNames.join(', ')}`);
      ortFeeds[name] = toOrtTensor(name, input, value);
    }
    for (const name of this.inputs.keys()) {
      if (!(name in ortFeeds)) throw new QrpoError(`input '${name}' was not fed`);
    }
    return ortFeeds;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Where onnxruntime finds the files of file-backed constants: one folder, and each file's location inside it. */
interface ExternalDataFiles {
  readonly folder: string;
  readonly location: (path: string) => string;
}

/**
 * The folder to hand onnxruntime (session option `model_external_initializers_file_folder_path`, for a model loaded
 * from bytes: no model file is written anywhere) and the files' locations relative to it. onnxruntime 1.30 refuses
 * absolute locations and any whose real path (symlinks resolved) leaves that folder, so both come from the files'
 * real paths: a Hugging Face cache folder, whose model.safetensors links into ../../blobs/, works too. Each file is
 * checked to still hold every byte the model reads, so a checkpoint truncated after its header was read fails with
 * its name rather than onnxruntime's words. On the CPU onnxruntime maps the files (privately) and keeps the mappings
 * of initializers it uses as stored (the embedding a Gather reads) for the session's life: a file must not be cut
 * short in place meanwhile; replacing it (the engine's writers write a temp file and rename it) is harmless.
 */
async function externalDataFiles(regions: readonly FileRegion[]): Promise<ExternalDataFiles | undefined> {
  if (regions.length === 0) return undefined;
  const ends = new Map<string, number>();
  for (const { path, offset, length } of regions) ends.set(path, Math.max(ends.get(path) ?? 0, offset + length));
  const realPaths = new Map<string, string>();
  for (const [path, end] of ends) {
    const stat = await fs.stat(path).catch(() => undefined);
    if (!stat) throw new ModelFormatError(`${path} no longer exists; the session reads weights from it`);
    if (stat.size < end) {
      throw new ModelFormatError(`${path} holds ${stat.size} bytes but its tensors end at byte ${end}; was it truncated or replaced after it was opened?`);
    }
    realPaths.set(path, await fs.realpath(path));
  }
  const folder = commonFolder([...realPaths.values()].map((real) => dirname(real)));
  return {
    folder,
    location: (path) => {
      const location = relative(folder, realPaths.get(path)!);
      if (isAbsolute(location)) throw new QrpoError(`onnxruntime cannot read weights from ${path}: it shares no folder with the other weight files`);
      return location;
    },
  };
}

/** The deepest folder that holds every one of `folders` (absolute, normalised paths). */
function commonFolder(folders: readonly string[]): string {
  let common = folders[0];
  for (const folder of folders.slice(1)) {
    while (common !== folder && !folder.startsWith(common.endsWith(sep) ? common : common + sep)) {
      const parent = dirname(common);
      if (parent === common) break;
      common = parent;
    }
  }
  return common;
}

function tensorValues(results: Record<string, ort.Tensor>): Record<string, TensorValue> {
  const out: Record<string, TensorValue> = {};
  for (const [name, tensor] of Object.entries(results)) out[name] = { data: tensor.data as TensorData, dims: [...tensor.dims] };
  return out;
}

const COLLECT_COPIES_BYTES = 64 * 1024 * 1024;
let gc: (() => void) | undefined;

/**
 * A full collection (~10 ms with the engine's small JS heap). A young-generation one was not enough: the copies of
 * one step were still resident at the next (bench/trainMemory.ts).
 */
function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

function toOrtTensor(name: string, input: InputInfo, value: Feed): ort.Tensor {
  if (value instanceof ort.Tensor) {
    if (value.type !== ORT_TYPE[input.dtype]) throw new QrpoError(`input '${name}' is ${input.dtype}, but was fed a ${value.type} tensor`);
    return value;
  }
  const { data, dims } = 'dims' in value ? value : { data: value as TensorData, dims: concreteDims(name, input.shape) };
  return new ort.Tensor(ORT_TYPE[input.dtype], data, [...dims]);
}

function concreteDims(name: string, shape: readonly (number | string)[]): readonly number[] {
  if (!isConcrete(shape)) throw new QrpoError(`input '${name}' has symbolic dims [${shape.join(', ')}]; pass { data, dims }`);
  return shape;
}
