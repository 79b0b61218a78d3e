// Largest-Triangle-Three-Buckets (Steinarsson 2013): keeps `threshold` points of a line whose shape matches the
// full series, so thousands of steps draw as about one point per pixel without losing spikes. Input x must be
// sorted; non-finite points must already be removed.

export interface Points {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

export function lttb(points: Points, threshold: number): Points {
  const n = points.x.length;
  if (threshold >= n || threshold < 3) return points;
  const { x, y } = points;
  const outX = new Float64Array(threshold);
  const outY = new Float64Array(threshold);
  const bucket = (n - 2) / (threshold - 2);
  let a = 0;
  outX[0] = x[0];
  outY[0] = y[0];
  for (let i = 0; i < threshold - 2; i++) {
    // Average of the next bucket: the third corner of the triangles.
    const nextStart = Math.floor((i + 1) * bucket) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * bucket) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += x[j];
      avgY += y[j];
    }
    const count = Math.max(1, nextEnd - nextStart);
    avgX /= count;
    avgY /= count;
    // The point of this bucket spanning the largest triangle with the previous pick and that average.
    const start = Math.floor(i * bucket) + 1;
    const end = Math.floor((i + 1) * bucket) + 1;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((x[a] - avgX) * (y[j] - y[a]) - (x[a] - x[j]) * (avgY - y[a]));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    outX[i + 1] = x[best];
    outY[i + 1] = y[best];
    a = best;
  }
  outX[threshold - 1] = x[n - 1];
  outY[threshold - 1] = y[n - 1];
  return { x: outX, y: outY };
}
