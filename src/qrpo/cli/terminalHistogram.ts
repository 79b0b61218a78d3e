// A quantile histogram drawn with block characters, for the `prepare` summary in a terminal.

export function renderHistogram(counts: readonly number[], width = 40): string[] {
  const total = counts.reduce((sum, c) => sum + c, 0);
  const largest = Math.max(1, ...counts);
  const expected = total / counts.length;
  return counts.map((count, i) => {
    const low = (i / counts.length).toFixed(2);
    const high = ((i + 1) / counts.length).toFixed(2);
    const bar = '█'.repeat(Math.round((count / largest) * width));
    const share = total === 0 ? 0 : (100 * count) / total;
    const close = i === counts.length - 1 ? ']' : ')';
    return `  [${low}, ${high}${close} ${bar.padEnd(width)} ${String(count).padStart(6)}  ${share.toFixed(1).padStart(5)}%`;
  }).concat(total > 0 ? [`  uniform reference: ${expected.toFixed(1)} per bin`] : []);
}
