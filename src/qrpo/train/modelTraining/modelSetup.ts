// What both training paths (CPU arrays: modelGradientSource.ts; WebGPU-resident: deviceTraining.ts) start from: the
// model, which of its parameters train, the tokenized examples and the loss, and the training graph built for an
// execution provider (the log-softmax form that stays on the device for WebGPU: completionLogps.ts).
import { ModelFormatError } from '../../errors';
import type { DecoderConfig } from '../../model/config';
import { decoderParameters, huggingFaceTensorName } from '../../model/decoderParameters';
import type { ParameterSelection, ProjectionWrapper } from '../../model/families';
import { type ModelGraph, buildTrainingGraph, logSoftmaxFormFor } from '../../model/graphs';
import type { ModelWeights, ParameterTensor } from '../../model/weights';
import type { ExecutionProvider } from '../../runtime/providers';
import type { LossSettings } from './microBatch';
import type { MetricOptions } from './trainingMetrics';
import type { TrainingExample } from './trainingExamples';

export interface ModelTrainingSetup {
  readonly config: DecoderConfig;
  /**
   * Every model weight by canonical name. Trainable ones are trained in place (these arrays are the one CPU copy:
   * GradientSource.parameters holds them, not copies); frozen ones become initializers of the training graph, after
   * which the caller may drop them.
   */
  readonly weights: ModelWeights;
  /** Starting values of trainable parameters that are not model weights (a LoRA adapter's), by name. */
  readonly adapterWeights?: ModelWeights;
  /** Default: every model parameter, or none of them (only the adapter's) with an adapter. */
  readonly trainable?: ParameterSelection;
  readonly adapter?: ProjectionWrapper;
  readonly examples: readonly TrainingExample[];
  readonly settings: LossSettings;
  readonly metrics?: MetricOptions;
  /** Pads the right of short rows (any id works: pads are masked); the tokenizer's pad_token_id. */
  readonly padTokenId: number;
  /** Intra-op threads of the sessions (default 1: fastest on small shared machines, engine-notes.md). */
  readonly threads?: number;
}

export function trainingGraphFor(setup: ModelTrainingSetup, provider: ExecutionProvider): ModelGraph {
  return buildTrainingGraph(setup.config, setup.weights, {
    loss: setup.settings.loss,
    trainable: setup.trainable,
    adapter: setup.adapter,
    logSoftmax: logSoftmaxFormFor(provider),
  });
}

/** The starting value of each trainable graph input, from the model weights or the adapter's. */
export function trainableValues(setup: ModelTrainingSetup, names: readonly string[]): Map<string, ParameterTensor> {
  const values = new Map<string, ParameterTensor>();
  for (const name of names) {
    const value = setup.weights.get(name) ?? setup.adapterWeights?.get(name);
    if (!value) throw new ModelFormatError(`no starting value for trainable parameter "${name}"`, 'Pass the adapter\'s initial weights as adapterWeights');
    values.set(name, value);
  }
  return values;
}

/** Canonical parameter name → the name save_pretrained writes (base-model prefix where the family has one). */
export function checkpointTensorName(config: DecoderConfig): (name: string) => string {
  const specs = new Map(decoderParameters(config).map((s) => [s.name, s]));
  return (name) => {
    const spec = specs.get(name);
    return spec ? huggingFaceTensorName(config, spec) : name;
  };
}
