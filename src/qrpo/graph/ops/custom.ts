// Any other ONNX op, for forward-only graphs (decoding: ArgMax, TopK, Range, …). It has no gradient rule, so
// autodiff refuses to differentiate through it with an error naming it; give it a rule in its own ops file first.
import { Attribute, OutputSpec, Tensor } from '../ir';
import { GraphError } from '../graphError';

export function onnxOp(opType: string, inputs: readonly Tensor[], outputs: readonly OutputSpec[], attributes: Record<string, Attribute> = {}): Tensor[] {
  if (inputs.length === 0) throw new GraphError(`${opType}: onnxOp needs at least one input to know its graph`);
  return inputs[0].graph.apply({ onnxOp: opType, file: 'src/qrpo/graph/ops/custom.ts' }, inputs, outputs, attributes);
}
