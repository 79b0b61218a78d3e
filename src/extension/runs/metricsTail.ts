// The last complete line of metrics.jsonl, read from the end of the file: the Runs view shows the latest loss of
// every run, and reading whole logs (thousands of lines each, hundreds of runs) would make the view slow. A torn
// last line (the engine was killed mid-append) has no newline yet and is skipped, as the engine's reader does.
import { promises as fs } from 'node:fs';

const firstChunk = 4 * 1024;
const largestChunk = 256 * 1024;

export type MetricsLine = { readonly step: number } & Readonly<Record<string, unknown>>;

export async function readLastMetrics(file: string): Promise<MetricsLine | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const { size } = await handle.stat();
    for (let chunk = firstChunk; ; chunk *= 4) {
      const length = Math.min(size, chunk);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      const text = buffer.toString('utf8');
      const end = text.lastIndexOf('\n');
      const start = end < 0 ? -1 : text.lastIndexOf('\n', end - 1);
      // The whole last complete line is in this chunk when a newline precedes it, or the chunk is the whole file.
      if (end >= 0 && (start >= 0 || length === size)) return parseLine(text.slice(start + 1, end));
      if (length === size || chunk >= largestChunk) return undefined;
    }
  } finally {
    await handle.close();
  }
}

function parseLine(line: string): MetricsLine | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && typeof (value as { step?: unknown }).step === 'number' ? (value as MetricsLine) : undefined;
  } catch {
    return undefined;
  }
}
