// A decoder model training on WebGPU with nothing but the loss and metrics leaving the device: the trainable
// parameters, their AdamW moments and their gradients live in a TensorStore; the training graph (trainingGraph.ts)
// keeps its gradients there, tiny graphs sum micro-batch gradients and their squares, and the AdamW graph
// (runtime/adamwGraph.ts, the same arithmetic as train/adamw.ts) updates parameters and moments in place. Each
// micro-batch reads back the loss and the per-row log-probs (for metrics); each step one scalar, Σ grad², for the
// global norm that clipping needs. Checkpoints read the tensors back. On another provider the same code runs with
// CPU-held tensors (TensorStore's fallback), which the tests use as a reference.
import { Graph, add, mul, reduceSum, type Tensor } from '../../graph';
import type { ParameterTensor } from '../../model/weights';
import { type AdamwParameter, adamwGraph, adamwKeep, adamwNames, adamwScalars } from '../../runtime/adamwGraph';
import type { ExecutionProvider } from '../../runtime/providers';
import { type StoreSession, TensorStore } from '../../runtime/tensorStore';
import { AdamW, excludedFromWeightDecay } from '../adamw';
import type { AccumulationMode } from '../gradients';
import type { MicroBatch, MicroBatchOutcome } from '../trainer';
import { inputTokens, packMicroBatch } from './microBatch';
import { type ModelTrainingSetup, trainableValues, trainingGraphFor } from './modelSetup';
import { microBatchMetrics } from './trainingMetrics';

export interface DeviceOptimizerOptions {
  readonly betas?: readonly [number, number];
  readonly eps?: number;
  readonly weightDecay?: number;
  /** Which parameters get no weight decay; default excludedFromWeightDecay (biases and norm weights, as HF). */
  readonly noDecay?: (name: string) => boolean;
}

/** The trainer's micro-batch outcome, with metrics and token count always present on the device path. */
type DeviceMicroBatchOutcome = Required<MicroBatchOutcome>;

/** Store names beside adamwNames: the running sum of a step's micro-batch gradients. */
const gradSum = (p: string): string => `${p}.grad_sum`;
const SUM_OF_SQUARES = 'grad_sum_of_squares';

export class DeviceModel {
  /** AdamW steps taken (torch's state['step']). */
  stepCount = 0;
  private microBatches = 0;

  private constructor(
    /** Not the whole setup: the model weights' CPU arrays are read once, at upload, and not kept alive here. */
    private readonly batches: Pick<ModelTrainingSetup, 'examples' | 'settings' | 'metrics' | 'padTokenId'>,
    readonly store: TensorStore,
    readonly params: readonly AdamwParameter[],
    private readonly optimizer: Required<Omit<DeviceOptimizerOptions, 'noDecay'>>,
    private readonly sessions: {
      readonly training: StoreSession;
      readonly stash: StoreSession;
      readonly accumulate: StoreSession;
      readonly accumulateLast: StoreSession;
      readonly sumOfSquares: StoreSession;
      readonly adamw: StoreSession;
    },
  ) {}

  /** Uploads the trainable parameters (and zero moments) and compiles the step's sessions. */
  static async create(setup: ModelTrainingSetup, provider: ExecutionProvider, options: DeviceOptimizerOptions = {}): Promise<DeviceModel> {
    const { graph, parameterInputs } = trainingGraphFor(setup, provider);
    const values = trainableValues(setup, parameterInputs);
    const noDecay = options.noDecay ?? excludedFromWeightDecay;
    const params: AdamwParameter[] = parameterInputs.map((name) => ({ name, shape: values.get(name)!.shape, decay: !noDecay(name) }));
    const optimizer = { betas: options.betas ?? ([0.9, 0.999] as const), eps: options.eps ?? 1e-8, weightDecay: options.weightDecay ?? 0 };
    const store = TensorStore.create({ executionProvider: provider, threads: setup.threads });
    try {
      const grads = Object.fromEntries(parameterInputs.map((n) => [`grad.${n}`, adamwNames.grad(n)]));
      const sessions = {
        training: await store.session(graph, { keep: grads, read: ['loss', 'logp'] }),
        ...(await accumulationSessions(store, params)),
        sumOfSquares: await store.session(sumOfSquaresGraph(params), { keep: [], read: [SUM_OF_SQUARES] }),
        adamw: await store.session(adamwGraph(params, { beta1: optimizer.betas[0], beta2: optimizer.betas[1], eps: optimizer.eps }), { keep: adamwKeep(params) }),
      };
      const { examples, settings, metrics, padTokenId } = setup;
      const model = new DeviceModel({ examples, settings, metrics, padTokenId }, store, params, optimizer, sessions);
      await model.load(values);
      return model;
    } catch (error) {
      await store.dispose();
      throw error;
    }
  }

  /** Forward and backward of one micro-batch; its gradients are added to the step's on the device. */
  async computeGradients(microBatch: MicroBatch): Promise<DeviceMicroBatchOutcome> {
    const { batches } = this;
    const packed = packMicroBatch(batches.examples, microBatch.indices, batches.settings, batches.padTokenId);
    const out = await this.sessions.training.run(packed.feeds);
    const { index, count } = microBatch;
    if (count > 1) {
      if (index === 0) await this.sessions.stash.run();
      else if (index < count - 1) await this.sessions.accumulate.run();
      else {
        await this.sessions.accumulateLast.run();
        for (const { name } of this.params) this.store.delete(gradSum(name));
      }
    }
    this.microBatches = index + 1;
    return {
      loss: Number(out.loss.data[0]),
      metrics: microBatchMetrics(packed, out.logp.data as Float32Array, batches.settings, batches.metrics),
      numTokens: inputTokens(packed.batch),
    };
  }

  /**
   * The 2-norm of the step's gradients as the CPU trainer computes it (GradientAccumulator.finish, then
   * globalGradNorm): the sum is scaled by 1/N for `mean` accumulation, which the AdamW step applies too.
   */
  async gradNorm(mode: AccumulationMode = 'mean'): Promise<number> {
    const { [SUM_OF_SQUARES]: sumOfSquares } = await this.sessions.sumOfSquares.run();
    return Math.sqrt(Number(sumOfSquares.data[0])) * this.accumulationScale(mode);
  }

  /** One AdamW update of every parameter on the device; `gradScale` is the clip coefficient. */
  async step(options: { lr: number; gradScale?: number; accumulation?: AccumulationMode }): Promise<void> {
    this.stepCount += 1;
    const gradScale = (options.gradScale ?? 1) * this.accumulationScale(options.accumulation ?? 'mean');
    const { betas, weightDecay } = this.optimizer;
    await this.sessions.adamw.run(adamwScalars(this.stepCount, { lr: options.lr, weightDecay, beta1: betas[0], beta2: betas[1], gradScale }));
    this.microBatches = 0;
  }

  /** The parameters read back to the CPU, by name. */
  async readParameters(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const { name } of this.params) out.set(name, (await this.store.read(name)).data as Float32Array);
    return out;
  }

  /** The optimizer state read back into an AdamW holder (no parameters of its own), for saveCheckpoint. */
  async readOptimizer(lr: number): Promise<AdamW> {
    const holder = this.emptyAdamW(lr);
    for (const { name } of this.params) {
      holder.state.set(name, {
        expAvg: (await this.store.read(adamwNames.expAvg(name))).data as Float32Array,
        expAvgSq: (await this.store.read(adamwNames.expAvgSq(name))).data as Float32Array,
      });
    }
    holder.stepCount = this.stepCount;
    return holder;
  }

  /** An AdamW holder with zero moments of the right sizes, for loadCheckpoint to fill; then restore() it. */
  emptyOptimizer(lr: number): AdamW {
    const holder = this.emptyAdamW(lr);
    for (const { name, shape } of this.params) {
      const n = (shape as number[]).reduce((a, b) => a * b, 1);
      holder.state.set(name, { expAvg: new Float32Array(n), expAvgSq: new Float32Array(n) });
    }
    return holder;
  }

  /** Replaces parameters and optimizer state on the device (a resume). */
  async restore(parameters: ReadonlyMap<string, Float32Array>, optimizer: AdamW): Promise<void> {
    const values = new Map(this.params.map(({ name, shape }) => [name, { shape: shape as number[], data: parameters.get(name)! }]));
    await this.load(values, optimizer);
    this.stepCount = optimizer.stepCount;
  }

  async release(): Promise<void> {
    await this.store.dispose();
  }

  private async load(values: ReadonlyMap<string, ParameterTensor>, optimizer?: AdamW): Promise<void> {
    for (const { name, shape } of this.params) {
      const dims = [...(shape as number[])];
      const n = dims.reduce((a, b) => a * b, 1);
      const moments = optimizer?.state.get(name);
      this.store.set(name, { data: values.get(name)!.data, dims });
      this.store.set(adamwNames.expAvg(name), { data: moments?.expAvg ?? new Float32Array(n), dims });
      this.store.set(adamwNames.expAvgSq(name), { data: moments?.expAvgSq ?? new Float32Array(n), dims });
    }
    await this.store.toDevice();
  }

  private accumulationScale(mode: AccumulationMode): number {
    return mode === 'mean' && this.microBatches > 1 ? 1 / this.microBatches : 1;
  }

  private emptyAdamW(lr: number): AdamW {
    const { betas, eps, weightDecay } = this.optimizer;
    return new AdamW(new Map(), { lr, betas: [betas[0], betas[1]], eps, weightDecay, kernel: 'js' });
  }
}

/**
 * Micro-batch gradient sums on the device. The training graph keeps each micro-batch's gradients as `p.grad`
 * (what AdamW reads); the first is stashed as `p.grad_sum`, later ones added to it, and the last sum is kept as
 * `p.grad` again. (A graph cannot output a tensor under an input's name, hence the separate sessions.)
 */
async function accumulationSessions(store: TensorStore, params: readonly AdamwParameter[]): Promise<{ stash: StoreSession; accumulate: StoreSession; accumulateLast: StoreSession }> {
  const stash = new Graph();
  const sum = new Graph();
  for (const { name, shape } of params) {
    stash.output(`stash.${name}`, stash.input(adamwNames.grad(name), 'float32', shape));
    sum.output(`sum.${name}`, add(sum.input(gradSum(name), 'float32', shape), sum.input(adamwNames.grad(name), 'float32', shape)));
  }
  const keep = (target: (p: string) => string, prefix: string) => Object.fromEntries(params.map(({ name }) => [`${prefix}.${name}`, target(name)]));
  return {
    stash: await store.session(stash, { keep: keep(gradSum, 'stash') }),
    accumulate: await store.session(sum, { keep: keep(gradSum, 'sum') }),
    accumulateLast: await store.session(sum, { keep: keep(adamwNames.grad, 'sum') }),
  };
}

/** Σ over every gradient of g², one float32 scalar (the CPU trainer accumulates in float64; float32 is ample here). */
function sumOfSquaresGraph(params: readonly AdamwParameter[]): Graph {
  const g = new Graph();
  const partials = params.map(({ name, shape }) => {
    const grad = g.input(adamwNames.grad(name), 'float32', shape);
    return reduceSum(mul(grad, grad));
  });
  g.output(SUM_OF_SQUARES, partials.reduce((a: Tensor, b) => add(a, b)));
  return g;
}
