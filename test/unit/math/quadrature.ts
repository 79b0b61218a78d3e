// Adaptive Gauss–Legendre quadrature, the independent yardstick the log-partition tests measure logPartition
// against. 15-point rules on bisected intervals: exact for smooth integrands after a few levels, and able to chase
// the endpoint singularities of t^{1/β} and e^{√t/β} down to ~1e-15 of an interval.

const ORDER = 15;
const { nodes, weights } = legendreRule(ORDER);

/** Nodes and weights of the n-point Gauss–Legendre rule on [−1, 1], by Newton's method on P_n. */
function legendreRule(n: number): { nodes: number[]; weights: number[] } {
  const xs: number[] = [];
  const ws: number[] = [];
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const step = p1 / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    xs.push(x);
    ws.push(2 / ((1 - x * x) * derivative * derivative));
  }
  return { nodes: xs, weights: ws };
}

function rule(f: (t: number) => number, a: number, b: number): number {
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  let total = 0;
  for (let i = 0; i < ORDER; i++) total += weights[i] * f(mid + half * nodes[i]);
  return total * half;
}

/**
 * ∫_a^b f for a non-negative f, to relative tolerance relTol of the whole integral. Every interval is bisected at
 * least minDepth times so a narrow peak (e^{(t−1)/β} at β = 1e-3) cannot hide between the first rule's nodes.
 */
export function integrate(f: (t: number) => number, a: number, b: number, relTol = 1e-14, minDepth = 5): number {
  let scale = 0;
  const pieces: number[] = [];
  const segments = 1 << minDepth;
  for (let i = 0; i < segments; i++) {
    pieces.push(rule(f, a + ((b - a) * i) / segments, a + ((b - a) * (i + 1)) / segments));
  }
  for (const piece of pieces) scale += Math.abs(piece);
  const tolerance = relTol * scale;
  const refine = (lo: number, hi: number, whole: number, depth: number): number => {
    const mid = (lo + hi) / 2;
    const left = rule(f, lo, mid);
    const right = rule(f, mid, hi);
    if (Math.abs(left + right - whole) <= tolerance || depth >= 80 || mid === lo || mid === hi) return left + right;
    return refine(lo, mid, left, depth + 1) + refine(mid, hi, right, depth + 1);
  };
  let total = 0;
  for (let i = 0; i < segments; i++) {
    total += refine(a + ((b - a) * i) / segments, a + ((b - a) * (i + 1)) / segments, pieces[i], minDepth);
  }
  return total;
}
