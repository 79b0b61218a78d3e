// Gradient checks for the graph ops: builds f(x) = Σ w ⊙ op(x) with a fixed random w, differentiates it with
// autodiff, runs the gradient graph in onnxruntime and compares with central finite differences of f computed by
// a forward-only session of the same graph. Tolerances follow docs/vjp.md "Numerics".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DType, Dim, Graph, Tensor, TensorData, gradients, isConcrete, mul, reduceSum } from '../../../src/qrpo/graph';
import { GraphSession, TensorValue } from '../../../src/qrpo/runtime/session';
import { mulberry32 } from '../../fixtures/workspace/fixtureRandom';

export type FloatDType = 'float32' | 'float64';

export interface CheckedInput {
  name: string;
  shape: number[];
  /** Default: the case's float dtype. Integer and bool inputs are data, never differentiated. */
  dtype?: DType;
  /** Fixed values (ids, masks); otherwise uniform in `range`. */
  values?: readonly number[];
  range?: [number, number];
  /** Float inputs are differentiated unless this is false. */
  differentiate?: boolean;
  /** The shape the graph declares, with symbolic dims (default: `shape`). */
  declaredShape?: Dim[];
}

export interface GradcheckCase {
  dtype: FloatDType;
  inputs: CheckedInput[];
  build: (...inputs: Tensor[]) => Tensor;
  /** `build` returns the scalar to differentiate itself (a loss) instead of a tensor to weight and sum. */
  scalar?: boolean;
  /** Largest |analytic − numeric| relative to the largest |numeric| component (default 1e-7 / 1e-2). */
  tolerance?: number;
  /** Finite-difference step (default 1e-6 in float64, 1e-2 in float32). */
  step?: number;
  seed?: number;
}

export interface GradcheckResult {
  worst: number;
  perInput: Record<string, number>;
}

/** A deterministic uniform generator, so every run checks the same points. */
export const uniform = mulberry32;

export function typedArray(dtype: DType, values: readonly number[]): TensorData {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int64':
      return BigInt64Array.from(values, (v) => BigInt(v));
    case 'bool':
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
  }
}

export async function gradcheck(c: GradcheckCase): Promise<GradcheckResult> {
  const random = uniform(c.seed ?? 7);
  const graph = new Graph();
  const tensors = c.inputs.map((input) => graph.input(input.name, input.dtype ?? c.dtype, input.declaredShape ?? input.shape));
  const y = c.build(...tensors);
  const f = c.scalar ? y : reduceSum(mul(graph.constant(typedArray(y.dtype, randomWeights(y.shape, random)), y.shape as number[]), y));
  const checked = c.inputs.map((input, i) => ({ input, tensor: tensors[i] })).filter(({ input, tensor }) => tensor.isFloat && input.differentiate !== false);
  const grads = gradients(f, checked.map(({ tensor }) => tensor));
  graph.output('f', f);
  checked.forEach(({ input }, i) => graph.output(`grad_${input.name}`, grads[i]));

  const values = c.inputs.map((input) => {
    const [lo, hi] = input.range ?? [-1, 1];
    return input.values ? [...input.values] : Array.from({ length: size(input.shape) }, () => lo + (hi - lo) * random());
  });
  const feeds = (): Record<string, TensorValue> =>
    Object.fromEntries(c.inputs.map((input, i) => [input.name, { data: typedArray(input.dtype ?? c.dtype, values[i]), dims: input.shape }]));

  const full = await GraphSession.create(graph);
  const forward = await GraphSession.create(graph, { outputs: ['f'] });
  const analytic = await full.run(feeds());
  const step = c.step ?? (c.dtype === 'float64' ? 1e-6 : 1e-2);
  const tolerance = c.tolerance ?? (c.dtype === 'float64' ? 1e-7 : 1e-2);
  const perInput: Record<string, number> = {};
  for (const { input } of checked) {
    const index = c.inputs.indexOf(input);
    const x = values[index];
    const numeric = new Array<number>(x.length);
    for (let j = 0; j < x.length; j++) {
      const original = x[j];
      x[j] = original + step;
      const plus = Number((await forward.run(feeds())).f.data[0]);
      x[j] = original - step;
      const minus = Number((await forward.run(feeds())).f.data[0]);
      x[j] = original;
      numeric[j] = (plus - minus) / (2 * step);
    }
    const got = Array.from(analytic[`grad_${input.name}`].data as Float64Array, Number);
    assert.equal(got.length, numeric.length, `gradient of ${input.name} has ${got.length} values, expected ${numeric.length}`);
    const scale = Math.max(1e-3, ...numeric.map(Math.abs));
    const error = Math.max(...got.map((g, j) => Math.abs(g - numeric[j]))) / scale;
    perInput[input.name] = error;
    assert.ok(error <= tolerance, `∂f/∂${input.name}: relative error ${error.toExponential(2)} > ${tolerance} (analytic ${fmt(got)}, numeric ${fmt(numeric)})`);
  }
  await full.release();
  await forward.release();
  return { worst: Math.max(0, ...Object.values(perInput)), perInput };
}

/** Registers a test that gradchecks one case and reports its worst relative error as a test diagnostic. */
export function gradTest(title: string, c: GradcheckCase): void {
  test(title, async (t) => {
    const { worst } = await gradcheck(c);
    t.diagnostic(`gradcheck ${c.dtype}: worst relative error ${worst.toExponential(1)}`);
  });
}

function randomWeights(shape: readonly Dim[], random: () => number): number[] {
  if (!isConcrete(shape)) throw new Error(`gradcheck: the checked op's output shape [${shape}] must be concrete`);
  return Array.from({ length: size(shape) }, () => random() * 2 - 1);
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function fmt(values: readonly number[]): string {
  const shown = values.slice(0, 6).map((v) => v.toPrecision(5));
  return `[${shown.join(', ')}${values.length > 6 ? ', …' : ''}]`;
}
