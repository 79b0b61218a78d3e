// Measured evidence for the backward formulations in docs/benchmarks.md: each pattern the training graph emitted
// before an optimisation (`old`) against the formulation it was replaced by or compared with (`new`), timed
// interleaved in onnxruntime on one thread, and checked to agree. Small standalone graphs, written with onnx-proto.
// The engine now emits: weight gradients folded over the batch with an explicit transpose (the last four patterns'
// `new`), and the tied head's gradient in [V, d] with the lookup's scatter-add onto it (the first pattern's `new`,
// there as a MatMul with the operand transposed rather than Gemm).
//   node bench/run.mjs gradientShapes
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { median, seconds } from './benchWorkers';

type Dims = readonly number[];
interface Pattern {
  readonly name: string;
  readonly inputs: Record<string, { dims: Dims; type?: 'int64'; values?: (i: number) => number }>;
  readonly current: { label: string; nodes: onnx.INodeProto[]; initializers?: onnx.ITensorProto[] };
  readonly proposed: { label: string; nodes: onnx.INodeProto[]; initializers?: onnx.ITensorProto[] };
  readonly output: string;
}

const F32 = onnx.TensorProto.DataType.FLOAT;
const I64 = onnx.TensorProto.DataType.INT64;
const ints = (name: string, values: number[]): onnx.ITensorProto => ({ name, dims: [values.length], dataType: I64, int64Data: values });
const node = (opType: string, input: string[], output: string[], attribute: onnx.IAttributeProto[] = []): onnx.INodeProto => ({ opType, input, output, attribute, name: output[0] });
const intAttr = (name: string, i: number): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
const strAttr = (name: string, s: string): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(s) });
const permAttr = (perm: number[]): onnx.IAttributeProto => ({ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: perm });

/** Weight gradient of x·W for x [B, T, in], dy [B, T, out]: batched xᵀ·dy then a sum over B (today) vs one GEMM. */
function weightGrad(name: string, B: number, T: number, inF: number, outF: number): Pattern {
  return {
    name,
    inputs: { x: { dims: [B, T, inF] }, dy: { dims: [B, T, outF] } },
    current: {
      label: `MatMul(xᵀ [${B}×${inF}×${T}], dy) → [${B}×${inF}×${outF}], ReduceSum(axis 0, keepdims), Squeeze`,
      nodes: [
        node('Transpose', ['x'], ['xt'], [permAttr([0, 2, 1])]),
        node('MatMul', ['xt', 'dy'], ['g3']),
        node('ReduceSum', ['g3', 'axis0'], ['g3sum'], [intAttr('keepdims', 1)]),
        node('Squeeze', ['g3sum', 'axis0'], ['g']),
      ],
      initializers: [ints('axis0', [0])],
    },
    proposed: {
      label: `Reshape to [${B * T}×·], Gemm(transA=1) → [${inF}×${outF}]`,
      nodes: [node('Reshape', ['x', 'shapeX'], ['x2']), node('Reshape', ['dy', 'shapeY'], ['y2']), node('Gemm', ['x2', 'y2'], ['g'], [intAttr('transA', 1)])],
      initializers: [ints('shapeX', [B * T, inF]), ints('shapeY', [B * T, outF])],
    },
    output: 'g',
  };
}

/**
 * The folded weight gradient x₂ᵀ·g₂, two ways: a Transpose of x₂ straight into the MatMul (onnxruntime fuses it into
 * FusedMatMul with transA) against an explicit Transpose of x's last axis to the front, a Reshape, and a plain MatMul.
 */
function weightGradTransposeForm(name: string, B: number, T: number, inF: number, outF: number): Pattern {
  return {
    name,
    inputs: { x: { dims: [B, T, inF] }, dy: { dims: [B, T, outF] } },
    current: {
      label: `Reshape to [${B * T}×·], Transpose → FusedMatMul(transA)`,
      nodes: [
        node('Reshape', ['x', 'shapeX'], ['x2']),
        node('Reshape', ['dy', 'shapeY'], ['y2']),
        node('Transpose', ['x2'], ['xt'], [permAttr([1, 0])]),
        node('MatMul', ['xt', 'y2'], ['g']),
      ],
      initializers: [ints('shapeX', [B * T, inF]), ints('shapeY', [B * T, outF])],
    },
    proposed: {
      label: `Transpose x [2,0,1], Reshape to [${inF}×${B * T}], MatMul`,
      nodes: [
        node('Transpose', ['x'], ['xt3'], [permAttr([2, 0, 1])]),
        node('Reshape', ['xt3', 'shapeXt'], ['xt']),
        node('Reshape', ['dy', 'shapeY'], ['y2']),
        node('MatMul', ['xt', 'y2'], ['g']),
      ],
      initializers: [ints('shapeXt', [inF, B * T]), ints('shapeY', [B * T, outF])],
    },
    output: 'g',
  };
}

/** The tied GPT-2 embedding's gradient: LM-head part (dW of hidden·wteᵀ) plus the lookup's scatter-add. */
function tiedEmbeddingGrad(V: number, T: number, D: number): Pattern {
  return {
    name: `tied wte gradient, GPT-2-small (V=${V}, T=${T}, d=${D})`,
    inputs: {
      h: { dims: [1, T, D] },
      dlogits: { dims: [1, T, V] },
      ids: { dims: [1, T, 1], type: 'int64', values: (i) => (i * 7919) % V },
      demb: { dims: [1, T, D] },
    },
    current: {
      label: `MatMul(hᵀ, dlogits) → [1×${D}×${V}], ReduceSum(axis 0, keepdims), Squeeze, Transpose → [${V}×${D}]; ScatterND(add) into zeros; Add`,
      nodes: [
        node('Transpose', ['h'], ['ht'], [permAttr([0, 2, 1])]),
        node('MatMul', ['ht', 'dlogits'], ['g3']),
        node('ReduceSum', ['g3', 'axis0'], ['g3sum'], [intAttr('keepdims', 1)]),
        node('Squeeze', ['g3sum', 'axis0'], ['g2']),
        node('Transpose', ['g2'], ['headGrad'], [permAttr([1, 0])]),
        node('ConstantOfShape', ['wteShape'], ['zeros']),
        node('ScatterND', ['zeros', 'ids', 'demb'], ['embGrad'], [strAttr('reduction', 'add')]),
        node('Add', ['headGrad', 'embGrad'], ['g']),
      ],
      initializers: [ints('axis0', [0]), ints('wteShape', [V, D])],
    },
    proposed: {
      label: `Gemm(transA=1)(dlogits [${T}×${V}], h [${T}×${D}]) → [${V}×${D}] directly; ScatterND(add) onto it`,
      nodes: [
        node('Reshape', ['dlogits', 'shapeY'], ['y2']),
        node('Reshape', ['h', 'shapeH'], ['h2']),
        node('Gemm', ['y2', 'h2'], ['headGrad'], [intAttr('transA', 1)]),
        node('ScatterND', ['headGrad', 'ids', 'demb'], ['g'], [strAttr('reduction', 'add')]),
      ],
      initializers: [ints('shapeY', [T, V]), ints('shapeH', [T, D])],
    },
    output: 'g',
  };
}

function model(pattern: Pattern, variant: Pattern['current']): Uint8Array {
  const valueInfo = (name: string, dims: Dims, type = F32): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: type, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  });
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 18 }],
    graph: {
      name: 'pattern',
      node: variant.nodes,
      initializer: variant.initializers ?? [],
      input: Object.entries(pattern.inputs).map(([name, { dims, type }]) => valueInfo(name, dims, type === 'int64' ? I64 : F32)),
      output: [{ name: pattern.output }],
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}

async function main(): Promise<void> {
  const patterns = [
    tiedEmbeddingGrad(50257, 128, 768),
    weightGrad('c_fc weight gradient, GPT-2-small (B=1, T=128)', 1, 128, 768, 3072),
    weightGrad('c_fc weight gradient, 11M model (B=8, T=64)', 8, 64, 384, 1536),
    weightGrad('c_attn weight gradient, 11M model (B=8, T=64)', 8, 64, 384, 1152),
    weightGradTransposeForm('folded c_fc weight gradient, 11M model: fused transA vs explicit transpose', 8, 64, 384, 1536),
    weightGradTransposeForm('folded c_proj (mlp) weight gradient, 11M model: fused transA vs explicit transpose', 8, 64, 1536, 384),
    weightGradTransposeForm('folded c_fc weight gradient, GPT-2-small: fused transA vs explicit transpose', 1, 128, 768, 3072),
    weightGradTransposeForm('folded c_proj (mlp) weight gradient, GPT-2-small: fused transA vs explicit transpose', 1, 128, 3072, 768),
    weightGradTransposeForm('tied head gradient dlogitsᵀ·h → [50257×768], GPT-2-small: fused transA vs explicit transpose', 1, 127, 50257, 768),
  ];
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 };
  console.log('onnxruntime-node, one thread; median of 7 interleaved runs after 2 warm-ups');
  for (const pattern of patterns) {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, { dims, type, values }] of Object.entries(pattern.inputs)) {
      const n = dims.reduce((a, b) => a * b, 1);
      feeds[name] = type === 'int64'
        ? new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(values!(i))), [...dims])
        : new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + name.length) * 0.01), [...dims]);
    }
    const sessions = [await ort.InferenceSession.create(model(pattern, pattern.current), options), await ort.InferenceSession.create(model(pattern, pattern.proposed), options)];
    const times: [number[], number[]] = [[], []];
    const outputs: Float32Array[] = [];
    for (let i = 0; i < 9; i++) {
      for (const k of [0, 1]) {
        const start = process.hrtime.bigint();
        const out = await sessions[k].run(feeds);
        if (i >= 2) times[k].push(seconds(start));
        if (i === 0) outputs[k] = out[pattern.output].data as Float32Array;
      }
    }
    let maxDiff = 0;
    for (let i = 0; i < outputs[0].length; i++) maxDiff = Math.max(maxDiff, Math.abs(outputs[0][i] - outputs[1][i]));
    const [now, proposed] = times.map(median);
    console.log(`\n${pattern.name}  (outputs agree to ${maxDiff.toExponential(1)})`);
    console.log(`  old  ${(now * 1000).toFixed(1).padStart(7)} ms  ${pattern.current.label}`);
    console.log(`  new  ${(proposed * 1000).toFixed(1).padStart(7)} ms  ${pattern.proposed.label}   (${(now / proposed).toFixed(1)}× faster, saves ${((now - proposed) * 1000).toFixed(1)} ms)`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
