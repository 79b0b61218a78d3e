// The tensor-graph IR: typed tensors with symbolic or concrete shapes, graph inputs, constants and nodes that each
// carry an ONNX op type plus the rule (ops/*.ts) that knows the op's gradient. Graphs are append-only, so the
// order of `graph.nodes` is a topological order; autodiff.ts walks it backwards and onnxEmit.ts writes it out.
import { GraphError } from './graphError';
import { Shape, formatShape } from './shapes';

export type { Dim, Shape } from './shapes';
export type DType = 'float32' | 'float64' | 'int64' | 'bool';
export type TensorData = Float32Array | Float64Array | BigInt64Array | Uint8Array;

export interface ConstantValue {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** Bytes of one element of each dtype, as ONNX stores them raw (little-endian). */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int64: 8, bool: 1 };

/** A byte range of a file that holds a tensor's raw little-endian values. */
export interface FileRegion {
  readonly path: string;
  /** Bytes from the start of the file to the first value. */
  readonly offset: number;
  readonly length: number;
}

/**
 * A constant whose values stay in a file (a checkpoint's float32 tensor): onnxruntime reads them when the session is
 * created, so they never exist as a JS array (runtime/session.ts).
 */
export interface FileConstantValue {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly file: FileRegion;
}

/** ONNX attributes, tagged because a JS number cannot say whether it is an INT or a FLOAT attribute. */
export type Attribute =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly string: string }
  | { readonly tensor: ConstantValue };

export interface VjpArgs<P> {
  readonly node: Node<P>;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly params: P;
  /** The cotangent of each output; undefined where nothing downstream of that output reaches the loss. */
  readonly grads: readonly (Tensor | undefined)[];
  /** Which inputs want a cotangent (they lead back to a parameter); rules skip the others. */
  readonly needs: readonly boolean[];
}

/** One op: its ONNX type and, next to where its forward is built, its vector–Jacobian product. */
export interface OpRule<P = unknown> {
  readonly onnxOp: string;
  /** Where the rule lives, for the error an op without a VJP gives. */
  readonly file: string;
  /** Returns one cotangent per input (undefined for inputs without one); absent: the op is not differentiable. */
  readonly vjp?: (args: VjpArgs<P>) => readonly (Tensor | undefined)[];
  /** Outputs after the first may be left unnamed in ONNX when unused (LayerNormalization's Mean, InvStdDev). */
  readonly optionalOutputs?: boolean;
}

export type TensorOrigin =
  | { readonly kind: 'input'; readonly name: string }
  | { readonly kind: 'constant'; readonly value: ConstantValue }
  | { readonly kind: 'file-constant'; readonly value: FileConstantValue }
  | { readonly kind: 'node'; readonly node: Node; readonly index: number };

export class Tensor {
  constructor(
    readonly graph: Graph,
    readonly id: number,
    readonly dtype: DType,
    readonly shape: Shape,
    readonly origin: TensorOrigin,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  get isFloat(): boolean {
    return this.dtype === 'float32' || this.dtype === 'float64';
  }

  /** `input 'x' [2, 'seq']`, `constant [3]`, `output 0 of MatMul #12 [2, 3]`: for error messages. */
  describe(): string {
    const shape = formatShape(this.shape);
    switch (this.origin.kind) {
      case 'input':
        return `input '${this.origin.name}' ${this.dtype}${shape}`;
      case 'constant':
        return `constant ${this.dtype}${shape}`;
      case 'file-constant':
        return `constant ${this.dtype}${shape} read from ${this.origin.value.file.path}`;
      case 'node':
        return `output ${this.origin.index} of ${this.origin.node.rule.onnxOp} #${this.origin.node.id} ${this.dtype}${shape}`;
    }
  }
}

export class Node<P = unknown> {
  outputs: Tensor[] = [];
  constructor(
    readonly id: number,
    readonly rule: OpRule<P>,
    readonly inputs: readonly Tensor[],
    readonly attributes: Readonly<Record<string, Attribute>>,
    readonly params: P,
  ) {}
}

export interface OutputSpec {
  readonly dtype: DType;
  readonly shape: Shape;
}

export class Graph {
  readonly inputs: Tensor[] = [];
  readonly constants: Tensor[] = [];
  readonly nodes: Node[] = [];
  readonly outputs: { readonly name: string; readonly tensor: Tensor }[] = [];
  private nextId = 0;

  input(name: string, dtype: DType, shape: Shape): Tensor {
    if (this.inputs.some((t) => t.origin.kind === 'input' && t.origin.name === name)) {
      throw new GraphError(`graph input '${name}' is declared twice`);
    }
    for (const d of shape) {
      if (typeof d === 'number' && (!Number.isInteger(d) || d < 0)) {
        throw new GraphError(`graph input '${name}' has an invalid dim ${d} in ${formatShape(shape)}`);
      }
    }
    const tensor = new Tensor(this, this.nextId++, dtype, [...shape], { kind: 'input', name });
    this.inputs.push(tensor);
    return tensor;
  }

  /** A constant (an ONNX initializer). Plain number arrays need a dtype; typed arrays imply theirs. */
  constant(values: TensorData | readonly number[], shape: readonly number[], dtype?: DType): Tensor {
    const value = constantValue(values, shape, dtype);
    const tensor = new Tensor(this, this.nextId++, value.dtype, value.shape, { kind: 'constant', value });
    this.constants.push(tensor);
    return tensor;
  }

  /** A constant whose values onnxruntime reads from `file` itself; `file.length` must be the shape's byte size. */
  fileConstant(dtype: DType, shape: readonly number[], file: FileRegion): Tensor {
    const bytes = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
    if (bytes !== file.length || !Number.isSafeInteger(file.offset) || file.offset < 0) {
      throw new GraphError(`a ${dtype}${formatShape(shape)} constant needs ${bytes} bytes, but was given ${file.length} at offset ${file.offset} of ${file.path}`);
    }
    const value: FileConstantValue = { dtype, shape: [...shape], file: { ...file } };
    const tensor = new Tensor(this, this.nextId++, dtype, value.shape, { kind: 'file-constant', value });
    this.constants.push(tensor);
    return tensor;
  }

  scalar(value: number, dtype: DType): Tensor {
    return this.constant([value], [], dtype);
  }

  /** A 1-D int64 constant: axes, shapes, slice bounds. */
  int64s(values: readonly number[]): Tensor {
    return this.constant(values, [values.length], 'int64');
  }

  /** Adds a node; ops/*.ts call this after checking their inputs and inferring the output types. */
  apply<P>(rule: OpRule<P>, inputs: readonly Tensor[], outputs: readonly OutputSpec[], attributes: Record<string, Attribute> = {}, params?: P): Tensor[] {
    for (const input of inputs) {
      if (input.graph !== this) throw new GraphError(`${rule.onnxOp}: ${input.describe()} belongs to another graph`);
    }
    const node = new Node<P>(this.nextId++, rule, inputs, attributes, params as P);
    node.outputs = outputs.map((spec, index) => new Tensor(this, this.nextId++, spec.dtype, [...spec.shape], { kind: 'node', node: node as Node, index }));
    this.nodes.push(node as Node);
    return node.outputs;
  }

  /** Marks a tensor as a named graph output. */
  output(name: string, tensor: Tensor): void {
    if (tensor.graph !== this) throw new GraphError(`output '${name}': ${tensor.describe()} belongs to another graph`);
    if (this.outputs.some((o) => o.name === name)) throw new GraphError(`graph output '${name}' is declared twice`);
    this.outputs.push({ name, tensor });
  }
}

/** Values checked against their shape; the payload of a constant or of a tensor attribute. */
export function constantValue(values: TensorData | readonly number[], shape: readonly number[], dtype?: DType): ConstantValue {
  const data = toTensorData(values, dtype);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new GraphError(`constant of shape ${formatShape(shape)} needs ${size} values, got ${data.length}`);
  return { dtype: dtypeOf(data, dtype), shape: [...shape], data };
}

function toTensorData(values: TensorData | readonly number[], dtype?: DType): TensorData {
  if (!Array.isArray(values)) return values as TensorData;
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int64':
      return BigInt64Array.from(values, (v) => BigInt(v));
    case 'bool':
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
    default:
      throw new GraphError('a constant given as a number array needs a dtype');
  }
}

function dtypeOf(data: TensorData, requested?: DType): DType {
  const actual: DType =
    data instanceof Float32Array ? 'float32' : data instanceof Float64Array ? 'float64' : data instanceof BigInt64Array ? 'int64' : 'bool';
  if (requested && requested !== actual) throw new GraphError(`constant data is ${actual}, but ${requested} was requested`);
  return actual;
}

