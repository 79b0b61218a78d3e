// Named tensors that live where the execution provider computes: on the WebGPU device as onnxruntime 'gpu-buffer'
// tensors, or on the CPU as typed arrays (cpu and cuda: onnxruntime-node has no device-resident I/O for CUDA, so
// every run copies in and out anyway). Sessions made by a store feed their inputs from it by name and write chosen
// outputs back into it, so parameters and optimizer state go round a training loop without leaving the GPU;
// callers write one code path for every provider. Facts this relies on (engine-notes.md, re-measured on lavapipe):
//   - an output with preferredOutputLocation 'gpu-buffer' can be fed as an input to any session on the same device;
//   - getData() (or .data) on a gpu-buffer tensor aborts the Node process: reading goes through an Identity
//     session whose output is on the CPU;
//   - each gpu-buffer output holds device memory until dispose(): the store disposes a tensor when it replaces it.
import * as ort from 'onnxruntime-node';
import { QrpoError } from '../errors';
import { DType, Graph, TensorData } from '../graph';
import { ExecutionProvider } from './providers';
import { Feed, GraphSession, ORT_TYPE, TensorValue } from './session';

export interface TensorStoreOptions {
  executionProvider?: ExecutionProvider;
  /** Intra-op threads for the sessions the store creates (default 1). */
  threads?: number;
}

export interface StoreSessionOptions {
  /**
   * Outputs written back into the store after each run, as { outputName: storeName } (or a list, stored under their
   * own names). On WebGPU they stay on the device. A graph cannot name an output like an input, so an updated
   * parameter comes out as e.g. 'w.next' and is kept as 'w': { 'w.next': 'w' }.
   */
  keep: Readonly<Record<string, string>> | readonly string[];
  /** Outputs returned by run() on the CPU (losses, metrics). */
  read?: readonly string[];
}

export interface TensorStoreStats {
  /** Tensors held on the device now. */
  readonly onDevice: number;
  /** Device tensors the store has taken ownership of so far, and how many of them it has disposed (or will, as soon
   * as the run in flight that may read them is done). */
  readonly adopted: number;
  readonly disposed: number;
}

interface Entry {
  readonly tensor: ort.Tensor;
  readonly onDevice: boolean;
}

const DTYPE_OF: Partial<Record<string, DType>> = { float32: 'float32', float64: 'float64', int64: 'int64', bool: 'bool' };

export class TensorStore {
  private readonly entries = new Map<string, Entry>();
  /** Identity sessions, by direction, dtype and rank: readback to the CPU and upload to the device. */
  private readonly copiers = new Map<string, Promise<GraphSession>>();
  private readonly sessions = new Set<StoreSession>();
  private adopted = 0;
  private disposed = 0;
  /** Runs started and not finished. onnxruntime-node starts a run on a later tick, so a tensor replaced meanwhile
   * may still be about to be read: disposals wait until no run is in flight. */
  private inFlight = 0;
  private readonly pendingDisposal: ort.Tensor[] = [];

  private constructor(
    readonly executionProvider: ExecutionProvider,
    private readonly threads: number,
  ) {}

  /** A store for `executionProvider` (default cpu); check the provider first with resolveExecutionProvider(). */
  static create(options: TensorStoreOptions = {}): TensorStore {
    return new TensorStore(options.executionProvider ?? 'cpu', options.threads ?? 1);
  }

  /** True where kept tensors stay on the device between runs (WebGPU). */
  get deviceResident(): boolean {
    return this.executionProvider === 'webgpu';
  }

  get stats(): TensorStoreStats {
    let onDevice = 0;
    for (const e of this.entries.values()) if (e.onDevice) onDevice++;
    return { onDevice, adopted: this.adopted, disposed: this.disposed };
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** dtype, dims and where a tensor is, without reading it. */
  describe(name: string): { dtype: DType; dims: readonly number[]; onDevice: boolean } {
    const { tensor, onDevice } = this.entry(name);
    return { dtype: dtypeOf(tensor), dims: tensor.dims, onDevice };
  }

  /**
   * Stores a CPU value (replacing and disposing any previous one). It moves to the device on the first run that
   * feeds it and keeps an output under its name, or at once with toDevice().
   */
  set(name: string, value: TensorValue, dtype: DType = dtypeOfData(value.data)): void {
    this.replace(name, { tensor: new ort.Tensor(ORT_TYPE[dtype], value.data, [...value.dims]), onDevice: false });
  }

  /** Copies CPU-held tensors to the device now (WebGPU; elsewhere nothing to do), e.g. optimizer state at step 0. */
  async toDevice(names: readonly string[] = this.names()): Promise<void> {
    if (!this.deviceResident) return;
    for (const name of names) {
      const { tensor, onDevice } = this.entry(name);
      if (onDevice) continue;
      const upload = await this.copier('upload', dtypeOf(tensor), tensor.dims.length);
      const { y } = await this.whileRunning(() => upload.runTensors({ x: tensor }));
      this.replace(name, { tensor: y, onDevice: true });
    }
  }

  /** A stored tensor on the CPU: read back through an Identity session when it is on the device; elsewhere the stored
   * array itself (treat it as read-only). */
  async read(name: string): Promise<TensorValue> {
    const { tensor, onDevice } = this.entry(name);
    if (!onDevice) return { data: tensor.data as TensorData, dims: [...tensor.dims] };
    const readback = await this.copier('readback', dtypeOf(tensor), tensor.dims.length);
    const { y } = await this.whileRunning(() => readback.runTensors({ x: tensor }));
    return { data: y.data as TensorData, dims: [...y.dims] };
  }

  /** Forgets a tensor, freeing its device memory. */
  delete(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    this.release(entry);
  }

  /**
   * A session over `graph` whose inputs come from the store by name unless run() is given them, and whose `keep`
   * outputs go back into the store.
   */
  async session(graph: Graph, options: StoreSessionOptions): Promise<StoreSession> {
    const keep = Array.isArray(options.keep) ? Object.fromEntries(options.keep.map((n) => [n, n])) : (options.keep as Record<string, string>);
    const read = options.read ?? [];
    const storeNames = Object.values(keep);
    const twice = storeNames.find((n, i) => storeNames.indexOf(n) !== i);
    if (twice) throw new QrpoError(`two outputs are kept as '${twice}'`);
    const both = read.find((n) => n in keep);
    if (both) throw new QrpoError(`output '${both}' is both kept and read`, 'Read it from the store after the run instead');
    const outputs = [...Object.keys(keep), ...read];
    const session = await GraphSession.create(graph, {
      executionProvider: this.executionProvider,
      threads: this.threads,
      outputs,
      deviceOutputs: Object.keys(keep),
    });
    const storeSession = new StoreSession(this, session, keep, outputs);
    this.sessions.add(storeSession);
    return storeSession;
  }

  /** Disposes every device tensor and releases the store's sessions. */
  async dispose(): Promise<void> {
    for (const name of this.names()) this.delete(name);
    for (const session of this.sessions) await session.release();
    for (const copier of this.copiers.values()) await (await copier).release();
    this.copiers.clear();
  }

  /** @internal Runs `work` (a session run over stored tensors), holding back disposals until it is done. */
  async whileRunning<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await work();
    } finally {
      if (--this.inFlight === 0) for (const tensor of this.pendingDisposal.splice(0)) tensor.dispose();
    }
  }

  /** @internal The tensor to feed for `name`, if stored. */
  feedFor(name: string): ort.Tensor | undefined {
    return this.entries.get(name)?.tensor;
  }

  /** @internal Takes ownership of a session's kept outputs, disposing what they replace. */
  adopt(outputs: Readonly<Record<string, ort.Tensor>>, keep: Readonly<Record<string, string>>): void {
    for (const [output, storeName] of Object.entries(keep)) {
      const tensor = outputs[output];
      this.replace(storeName, { tensor, onDevice: tensor.location === 'gpu-buffer' });
    }
  }

  /** @internal */
  forget(session: StoreSession): void {
    this.sessions.delete(session);
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name);
    if (!entry) throw new QrpoError(`the tensor store holds no '${name}'`, `It holds ${this.names().join(', ') || 'nothing'}`);
    return entry;
  }

  private replace(name: string, entry: Entry): void {
    const old = this.entries.get(name);
    this.entries.set(name, entry);
    if (entry.onDevice) this.adopted++;
    if (old && old.tensor !== entry.tensor) this.release(old);
  }

  private release(entry: Entry): void {
    if (!entry.onDevice) return;
    if (this.inFlight > 0) this.pendingDisposal.push(entry.tensor);
    else entry.tensor.dispose();
    this.disposed++;
  }

  private copier(direction: 'readback' | 'upload', dtype: DType, rank: number): Promise<GraphSession> {
    const key = `${direction}/${dtype}/${rank}`;
    let session = this.copiers.get(key);
    if (!session) {
      // y = Identity(x) with a symbolic dim per axis, so one session serves every shape of this dtype and rank.
      const g = new Graph();
      g.output('y', g.input('x', dtype, Array.from({ length: rank }, (_, i) => `d${i}`)));
      session = GraphSession.create(g, {
        executionProvider: this.executionProvider,
        threads: this.threads,
        deviceOutputs: direction === 'upload' ? ['y'] : [],
      });
      session.catch(() => this.copiers.delete(key));
      this.copiers.set(key, session);
    }
    return session;
  }
}

/** A session bound to a TensorStore: see TensorStore.session(). */
export class StoreSession {
  constructor(
    private readonly store: TensorStore,
    private readonly session: GraphSession,
    private readonly keep: Readonly<Record<string, string>>,
    private readonly fetches: readonly string[],
  ) {}

  get inputNames(): string[] {
    return this.session.inputNames;
  }

  /**
   * Runs with `feeds` plus, for every other input, the stored tensor of that name; stores the kept outputs
   * (disposing the tensors they replace, after the run has consumed them) and returns the read ones on the CPU.
   */
  async run(feeds: Readonly<Record<string, Feed>> = {}): Promise<Record<string, TensorValue>> {
    const all: Record<string, Feed> = {};
    for (const name of this.session.inputNames) {
      const value = feeds[name] ?? this.store.feedFor(name);
      if (value === undefined) throw new QrpoError(`input '${name}' is neither fed nor in the tensor store`, `The store holds ${this.store.names().join(', ') || 'nothing'}`);
      all[name] = value;
    }
    for (const name of Object.keys(feeds)) if (!(name in all)) all[name] = feeds[name];
    const outputs = await this.store.whileRunning(async () => {
      const results = await this.session.runTensors(all, this.fetches);
      // Adopted inside the run's bracket: the inputs they replace are disposed once no other run may still read them.
      this.store.adopt(results, this.keep);
      return results;
    });
    const read: Record<string, TensorValue> = {};
    for (const name of this.fetches) {
      if (name in this.keep) continue;
      read[name] = { data: outputs[name].data as TensorData, dims: [...outputs[name].dims] };
    }
    return read;
  }

  async release(): Promise<void> {
    this.store.forget(this);
    await this.session.release();
  }
}

function dtypeOf(tensor: ort.Tensor): DType {
  const dtype = DTYPE_OF[tensor.type];
  if (!dtype) throw new QrpoError(`the tensor store holds ${tensor.type} tensors, which the graph IR has no dtype for`);
  return dtype;
}

function dtypeOfData(data: TensorData): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  return 'bool';
}
