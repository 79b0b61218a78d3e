// The trainer's GradientSource for a decoder model on CPU arrays: one onnxruntime session of the training graph
// (trainingGraph.ts) with the trainable parameters as inputs, fed each run straight from the Float32Arrays the
// trainer updates in place, and frozen ones inside the session as initializers. Each micro-batch returns the loss,
// ∂loss/∂parameter (written into the trainer's accumulation arrays when it passes them, else fresh arrays it
// adopts), TRL-named metrics and the tokens seen. On CUDA the same
// session runs with the cuda provider: onnxruntime-node has no device-resident I/O for it, so each run copies the
// parameters in and the gradients out anyway (engine-notes.md).
import type { ParameterTensor } from '../../model/weights';
import { GraphSession, trainingSessionMemory, type OutputBuffers, type TensorValue } from '../../runtime/session';
import type { GradientResult, GradientSource, MicroBatch } from '../trainer';
import { inputTokens, packMicroBatch } from './microBatch';
import { type ModelTrainingSetup, trainableValues, trainingGraphFor } from './modelSetup';
import { microBatchMetrics } from './trainingMetrics';

export interface ModelGradientSourceOptions {
  /** `cpu` (default) or `cuda`; WebGPU trains device-resident instead (deviceTraining.ts). */
  readonly executionProvider?: 'cpu' | 'cuda';
}

export class ModelGradientSource implements GradientSource {
  private constructor(
    private readonly setup: ModelTrainingSetup,
    private readonly session: GraphSession,
    private readonly values: ReadonlyMap<string, ParameterTensor>,
    readonly parameters: ReadonlyMap<string, Float32Array>,
    readonly shapes: ReadonlyMap<string, readonly number[]>,
  ) {}

  static async create(setup: ModelTrainingSetup, options: ModelGradientSourceOptions = {}): Promise<ModelGradientSource> {
    const provider = options.executionProvider ?? 'cpu';
    const { graph, parameterInputs } = trainingGraphFor(setup, provider);
    const values = trainableValues(setup, parameterInputs);
    const outputs = ['loss', 'logp', ...parameterInputs.map((n) => `grad.${n}`)];
    const trainableBytes = [...values.values()].reduce((bytes, v) => bytes + v.data.byteLength, 0);
    const session = await GraphSession.create(graph, {
      executionProvider: provider,
      threads: setup.threads,
      outputs,
      // A training graph's activations and gradients dwarf what onnxruntime's memory pattern and arena plan for.
      ...trainingSessionMemory(trainableBytes),
    });
    const parameters = new Map([...values].map(([name, v]) => [name, v.data]));
    const shapes = new Map([...values].map(([name, v]) => [name, v.shape]));
    return new ModelGradientSource(setup, session, values, parameters, shapes);
  }

  get numExamples(): number {
    return this.setup.examples.length;
  }

  async computeGradients(microBatch: MicroBatch): Promise<GradientResult> {
    const { setup } = this;
    const packed = packMicroBatch(setup.examples, microBatch.indices, setup.settings, setup.padTokenId);
    const feeds: Record<string, TensorValue> = { ...packed.feeds };
    for (const [name, { data, shape }] of this.values) feeds[name] = { data, dims: shape };
    const out = await this.session.run(feeds, this.gradientOutputs(microBatch.into));
    const grads = new Map<string, Float32Array>();
    for (const name of this.values.keys()) grads.set(name, out[`grad.${name}`].data as Float32Array);
    const logp = out.logp.data as Float32Array;
    return {
      loss: Number(out.loss.data[0]),
      grads,
      metrics: microBatchMetrics(packed, logp, setup.settings, setup.metrics),
      numTokens: inputTokens(packed.batch),
    };
  }

  /**
   * The trainer's arrays as the session's gradient outputs, on CPU only: the in-place write is what the CPU
   * provider's outputs are measured with, and a CUDA session copies its outputs back in any case.
   */
  private gradientOutputs(into: ReadonlyMap<string, Float32Array> | undefined): OutputBuffers | undefined {
    if (!into || this.session.executionProvider !== 'cpu') return undefined;
    const names = [...this.values.keys()];
    if (!names.every((name) => into.get(name)?.length === this.values.get(name)!.data.length)) return undefined;
    return Object.fromEntries(names.map((name) => [`grad.${name}`, into.get(name)!]));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
