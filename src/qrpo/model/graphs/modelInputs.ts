// The inputs every model graph declares, with HF's names and symbolic dims: input_ids and attention_mask
// [batch, seq] int64, position_ids when the caller supplies them, and the parameters (families/parameters.ts).
import { Graph, type Tensor } from '../../graph';
import { ModelFormatError } from '../../errors';
import type { DecoderConfig, ModelHead } from '../config';
import { type BoundParameters, type ParameterSelection, type ProjectionWrapper, bindParameters } from '../families';
import type { FrozenWeights } from '../weights';

export interface ModelGraphOptions {
  /**
   * Parameters fed as graph inputs (named by canonical name, e.g. `h.0.attn.c_attn.weight`); the rest become
   * initializers. Default: 'all' for the training graph, 'none' elsewhere.
   */
  readonly trainable?: ParameterSelection;
  /**
   * Wraps projections with extra parameters, e.g. a LoRA adapter (model/lora `loraProjections`). With one, the
   * model's own parameters default to frozen initializers in every graph, the training graph included.
   */
  readonly adapter?: ProjectionWrapper;
  /** `from-attention-mask` (default): cumsum(mask) − 1, HF generate's rule; `input`: a position_ids input. */
  readonly positionIds?: 'from-attention-mask' | 'input';
}

export interface SequenceInputs {
  readonly graph: Graph;
  readonly params: BoundParameters;
  readonly inputIds: Tensor;
  readonly attentionMask: Tensor;
  readonly positionIds?: Tensor;
}

/** A new graph with input_ids, attention_mask (and position_ids) over [batch, seq], and the bound parameters. */
export function sequenceInputs(config: DecoderConfig, weights: FrozenWeights | undefined, options: ModelGraphOptions, defaultTrainable: ParameterSelection): SequenceInputs {
  const graph = new Graph();
  const inputIds = graph.input('input_ids', 'int64', ['batch', 'seq']);
  const attentionMask = graph.input('attention_mask', 'int64', ['batch', 'seq']);
  const positionIds = options.positionIds === 'input' ? graph.input('position_ids', 'int64', ['batch', 'seq']) : undefined;
  const params = bindParameters(graph, config, weights, options.trainable ?? (options.adapter ? 'none' : defaultTrainable), options.adapter);
  return { graph, params, inputIds, attentionMask, positionIds };
}

export function requireHead(config: DecoderConfig, head: ModelHead, graphName: string): void {
  if (config.head === head) return;
  const wanted = head === 'causal-lm' ? 'a causal LM (*LMHeadModel / *ForCausalLM)' : 'a reward model (*ForSequenceClassification)';
  throw new ModelFormatError(`the ${graphName} needs ${wanted}, but config.json names ${config.architecture}`);
}
