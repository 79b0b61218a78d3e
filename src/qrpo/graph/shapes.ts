// Shape arithmetic for graph building: broadcasting (numpy/ONNX rules), axis normalisation and dim products.
// A dim is a number or a symbol ('batch', 'seq'); equal symbols are the same size, and a symbol is assumed never
// to be 1 at run time (so a symbol broadcast against n > 1 is taken to equal n).
import { GraphError } from './graphError';

export type Dim = number | string;
export type Shape = readonly Dim[];

export function formatShape(shape: Shape): string {
  return `[${shape.map((d) => (typeof d === 'string' ? `'${d}'` : String(d))).join(', ')}]`;
}

export function broadcastShapes(a: Shape, b: Shape, what: string): Dim[] {
  const rank = Math.max(a.length, b.length);
  const result: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    result.push(broadcastDim(da, db, () => `${what}: cannot broadcast ${formatShape(a)} with ${formatShape(b)}`));
  }
  return result;
}

function broadcastDim(a: Dim, b: Dim, message: () => string): Dim {
  if (a === b || b === 1) return a;
  if (a === 1) return b;
  if (typeof a === 'string' && typeof b === 'number') return b;
  if (typeof a === 'number' && typeof b === 'string') return a;
  throw new GraphError(message());
}

/** Axes of `outputShape` that a tensor of `inputShape` was broadcast along (leading axes and 1 → n axes). */
export function broadcastAxes(inputShape: Shape, outputShape: Shape): number[] {
  const lead = outputShape.length - inputShape.length;
  const axes: number[] = [];
  for (let i = 0; i < outputShape.length; i++) {
    if (i < lead) axes.push(i);
    else if (inputShape[i - lead] === 1 && outputShape[i] !== 1) axes.push(i);
  }
  return axes;
}

export function normaliseAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new GraphError(`${what}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The product of dims as a number when all are concrete, otherwise as a symbol such as 'batch*seq*4'. */
export function dimProduct(dims: Shape): Dim {
  let n = 1;
  const symbols: string[] = [];
  for (const d of dims) {
    if (typeof d === 'number') n *= d;
    else symbols.push(d);
  }
  if (symbols.length === 0) return n;
  return n === 1 ? symbols.join('*') : `${symbols.join('*')}*${n}`;
}

export function isConcrete(shape: Shape): shape is readonly number[] {
  return shape.every((d) => typeof d === 'number');
}
