// Writes a graph as an ONNX model (IR version 8, default-domain opset 18) for onnxruntime: only the nodes the
// requested outputs need, constants as initializers (small identical ones shared; file-backed ones as external data
// that points into their file), symbolic dims as dim_param.
import { onnx } from 'onnx-proto';
import { GraphError } from './graphError';
import { Attribute, ConstantValue, FileConstantValue, FileRegion, Graph, Node, Tensor } from './ir';
import { onnxDataType } from './ops/cast';
import { Shape } from './shapes';

export const OPSET = 18;
const IR_VERSION = 8;
const SHARED_CONSTANT_MAX_ELEMENTS = 64;

export interface EmitOptions {
  /** Graph outputs to emit (default: all). Nodes only other outputs need are left out. */
  outputs?: readonly string[];
  name?: string;
  /**
   * The external-data `location` of each file a file-backed constant reads from, relative to the folder onnxruntime
   * resolves it against (runtime/session.ts). Required when the emitted part of the graph has file-backed constants.
   */
  fileLocation?: (path: string) => string;
}

export function encodeModel(graph: Graph, options: EmitOptions = {}): Uint8Array {
  return onnx.ModelProto.encode(toModelProto(graph, options)).finish();
}

/** A model whose large initializers live outside its bytes, as onnxruntime's in-memory external data files. */
export interface ExternalDataModel {
  readonly model: Uint8Array;
  /** One entry per large constant: `path` is the name the model's TensorProto points to, `data` views its values. */
  readonly externalData: readonly { readonly path: string; readonly data: Uint8Array }[];
}

/**
 * The model with every constant of at least `minBytes` as external data that views the constant's own array, so
 * that neither the protobuf objects nor the encoded bytes hold a copy of the weights. Building a session from
 * `encodeModel`'s bytes held the weights three times at once (the JS arrays, the bytes, onnxruntime's copy).
 */
export function encodeModelWithExternalData(graph: Graph, options: EmitOptions = {}, minBytes = 1024): ExternalDataModel {
  // onnxruntime takes external data from files or from an in-memory table, not both: once it has a table it looks
  // every location up there (and fails on the files). A graph that reads constants from files gets the rest inline.
  if (liveFileRegions(graph, options).length > 0) return { model: encodeModel(graph, options), externalData: [] };
  const externalData: { path: string; data: Uint8Array }[] = [];
  const proto = toModelProto(graph, options, (name, value) => {
    const data = bytesOf(value);
    if (data.byteLength < minBytes) return undefined;
    externalData.push({ path: name, data });
    return externalTensorProto(name, value, { path: name, offset: 0, length: data.byteLength });
  });
  return { model: onnx.ModelProto.encode(proto).finish(), externalData };
}

type InitializerWriter = (name: string, value: ConstantValue) => onnx.ITensorProto | undefined;

export function toModelProto(graph: Graph, options: EmitOptions = {}, writeInitializer?: InitializerWriter): onnx.ModelProto {
  const outputs = selectOutputs(graph, options.outputs);
  const { live, consumed } = liveParts(outputs);

  const names = new Map<number, string>();
  const initializers: onnx.ITensorProto[] = [];
  const sharedConstants = new Map<string, string>();
  for (const t of graph.inputs) if (t.origin.kind === 'input') names.set(t.id, t.origin.name);
  for (const t of graph.constants) {
    if (!consumed.has(t.id)) continue;
    if (t.origin.kind === 'file-constant') {
      names.set(t.id, `const_${t.id}`);
      initializers.push(fileTensorProto(`const_${t.id}`, t.origin.value, options, t));
      continue;
    }
    if (t.origin.kind !== 'constant') continue;
    const key = constantKey(t.origin.value);
    const shared = key && sharedConstants.get(key);
    if (shared) {
      names.set(t.id, shared);
      continue;
    }
    const name = `const_${t.id}`;
    names.set(t.id, name);
    if (key) sharedConstants.set(key, name);
    initializers.push(writeInitializer?.(name, t.origin.value) ?? tensorProto(name, t.origin.value));
  }

  const identities: onnx.INodeProto[] = [];
  for (const { name, tensor } of outputs) {
    if (tensor.origin.kind === 'node' && !names.has(tensor.id)) names.set(tensor.id, name);
    else identities.push({ opType: 'Identity', name: `output_${name}`, input: [nameOf(names, tensor)], output: [name] });
  }
  for (const node of live) {
    node.outputs.forEach((t, i) => {
      if (!names.has(t.id)) names.set(t.id, `${node.rule.onnxOp}_${node.id}${i > 0 ? `_${i}` : ''}`);
    });
  }

  const nodes: onnx.INodeProto[] = live.map((node) => ({
    opType: node.rule.onnxOp,
    name: `${node.rule.onnxOp}_${node.id}`,
    input: node.inputs.map((t) => nameOf(names, t)),
    output: node.outputs.map((t, i) => (i > 0 && node.rule.optionalOutputs && !consumed.has(t.id) ? '' : nameOf(names, t))),
    attribute: Object.entries(node.attributes).map(([name, value]) => attributeProto(name, value)),
  }));

  return onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'qrpo-lab',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: options.name ?? 'qrpo_graph',
      node: [...nodes, ...identities],
      initializer: initializers,
      input: graph.inputs.filter((t) => consumed.has(t.id)).map((t) => valueInfo(nameOf(names, t), t)),
      output: outputs.map(({ name, tensor }) => valueInfo(name, tensor)),
    },
  });
}

/** The names of the graph inputs a model emitted with these options still reads (unused ones are dropped). */
export function liveInputNames(graph: Graph, options: EmitOptions = {}): string[] {
  const { consumed } = liveParts(selectOutputs(graph, options.outputs));
  return graph.inputs.filter((t) => consumed.has(t.id)).map((t) => (t.origin.kind === 'input' ? t.origin.name : ''));
}

/** The file regions the file-backed constants of a model emitted with these options read. */
export function liveFileRegions(graph: Graph, options: EmitOptions = {}): FileRegion[] {
  const { consumed } = liveParts(selectOutputs(graph, options.outputs));
  return graph.constants.flatMap((t) => (t.origin.kind === 'file-constant' && consumed.has(t.id) ? [t.origin.value.file] : []));
}

/** The nodes the outputs depend on, and every tensor those nodes read or the outputs are. */
function liveParts(outputs: Graph['outputs']): { live: Node[]; consumed: Set<number> } {
  const live = liveNodes(outputs.map((o) => o.tensor));
  const consumed = new Set<number>(outputs.map((o) => o.tensor.id));
  for (const node of live) for (const t of node.inputs) consumed.add(t.id);
  return { live, consumed };
}

function selectOutputs(graph: Graph, requested?: readonly string[]): Graph['outputs'] {
  if (!requested) {
    if (graph.outputs.length === 0) throw new GraphError('the graph has no outputs; mark some with graph.output(name, tensor)');
    return graph.outputs;
  }
  return requested.map((name) => {
    const found = graph.outputs.find((o) => o.name === name);
    if (!found) throw new GraphError(`no graph output named '${name}'; outputs are ${graph.outputs.map((o) => `'${o.name}'`).join(', ')}`);
    return found;
  });
}

/** Dead-node elimination: the nodes the given tensors depend on, in graph (topological) order. */
function liveNodes(roots: readonly Tensor[]): Node[] {
  const live = new Set<Node>();
  const stack = [...roots];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t.origin.kind !== 'node' || live.has(t.origin.node)) continue;
    live.add(t.origin.node);
    stack.push(...t.origin.node.inputs);
  }
  return [...live].sort((a, b) => a.id - b.id);
}

function nameOf(names: Map<number, string>, t: Tensor): string {
  const name = names.get(t.id);
  if (name === undefined) throw new Error(`onnxEmit: ${t.describe()} has no name`);
  return name;
}

function bytesOf(value: ConstantValue): Uint8Array {
  return new Uint8Array(value.data.buffer, value.data.byteOffset, value.data.byteLength);
}

function constantKey(value: ConstantValue): string | undefined {
  if (value.data.length > SHARED_CONSTANT_MAX_ELEMENTS) return undefined;
  return `${value.dtype}[${value.shape.join(',')}]${Buffer.from(bytesOf(value)).toString('hex')}`;
}

function tensorProto(name: string, value: ConstantValue): onnx.ITensorProto {
  return { name, dims: [...value.shape], dataType: onnxDataType(value.dtype), rawData: bytesOf(value) };
}

function fileTensorProto(name: string, value: FileConstantValue, options: EmitOptions, tensor: Tensor): onnx.ITensorProto {
  if (!options.fileLocation) throw new GraphError(`${tensor.describe()}: emitting a graph with file-backed constants needs a fileLocation`);
  return externalTensorProto(name, value, { ...value.file, path: options.fileLocation(value.file.path) });
}

/** An initializer whose values onnxruntime reads from `region` (its path being the external-data location). */
function externalTensorProto(name: string, value: Pick<ConstantValue, 'dtype' | 'shape'>, region: FileRegion): onnx.ITensorProto {
  return {
    name,
    dims: [...value.shape],
    dataType: onnxDataType(value.dtype),
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: region.path },
      { key: 'offset', value: String(region.offset) },
      { key: 'length', value: String(region.length) },
    ],
  };
}

function attributeProto(name: string, value: Attribute): onnx.IAttributeProto {
  const type = onnx.AttributeProto.AttributeType;
  if ('int' in value) return { name, type: type.INT, i: value.int };
  if ('float' in value) return { name, type: type.FLOAT, f: value.float };
  if ('ints' in value) return { name, type: type.INTS, ints: [...value.ints] };
  if ('floats' in value) return { name, type: type.FLOATS, floats: [...value.floats] };
  if ('string' in value) return { name, type: type.STRING, s: new TextEncoder().encode(value.string) };
  return { name, type: type.TENSOR, t: tensorProto('', value.tensor) };
}

function valueInfo(name: string, t: Tensor): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: onnxDataType(t.dtype), shape: shapeProto(t.shape) } } };
}

function shapeProto(shape: Shape): onnx.ITensorShapeProto {
  return { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
}
