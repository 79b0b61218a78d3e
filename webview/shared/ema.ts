// TensorBoard's debiased exponential moving average: s_t = α·s_{t−1} + (1 − α)·x_t with s_0 = 0, divided by
// 1 − α^n (n the finite points seen so far) so the start is not dragged towards 0. Non-finite points stay NaN and
// do not advance the average, as TensorBoard skips them.

export function debiasedEma(values: ArrayLike<number>, alpha: number): Float64Array {
  const out = new Float64Array(values.length);
  let accumulated = 0;
  let weight = 1;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) {
      out[i] = NaN;
      continue;
    }
    accumulated = alpha * accumulated + (1 - alpha) * x;
    weight *= alpha;
    // With α = 0, weight is 0 after one step and the division is by 1: the raw series.
    out[i] = accumulated / (1 - weight);
  }
  return out;
}
