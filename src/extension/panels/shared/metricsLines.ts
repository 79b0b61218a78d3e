// The text of metrics.jsonl, from bytes to records: cut into slices of whole lines (so a large read can be parsed a
// slice per event-loop turn) and parsed, skipping lines that are not JSON objects. Pure; MetricsTail does the I/O.

const newline = 0x0a;
/**
 * About 150 lines of a QRPO/DPO log: well under a millisecond to parse and tabulate once warm, a few milliseconds
 * before the JIT has compiled the parser, so no slice comes near the 50 ms the extension host may be held.
 */
const defaultSliceBytes = 64 * 1024;
const decoder = new TextDecoder();

/** Whole lines of `bytes` (which ends on a newline), about `sliceBytes` at a time; a longer line is a slice alone. */
export function* lineSlices(bytes: Uint8Array, sliceBytes = defaultSliceBytes): Generator<Uint8Array> {
  for (let start = 0; start < bytes.length; ) {
    let end = Math.min(bytes.length, start + sliceBytes);
    if (end < bytes.length) {
      const lastNewline = bytes.lastIndexOf(newline, end - 1);
      end = lastNewline >= start ? lastNewline + 1 : bytes.indexOf(newline, end) + 1;
    }
    yield bytes.subarray(start, end);
    start = end;
  }
}

export function parseMetricsLines(bytes: Uint8Array): { records: Record<string, unknown>[]; badLines: number } {
  const text = decoder.decode(bytes).trim();
  if (text === '') return { records: [], badLines: 0 };
  // One JSON.parse over all lines is several times faster than one per line; a bad line makes it throw, and then
  // the lines are parsed one by one to skip just that line.
  try {
    const all: unknown = JSON.parse(`[${text.split('\n').filter((line) => line.trim() !== '').join(',')}]`);
    if (Array.isArray(all) && all.every(isObject)) return { records: all, badLines: 0 };
  } catch {
    // fall through
  }
  const records: Record<string, unknown>[] = [];
  let badLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isObject(value)) records.push(value);
      else badLines++;
    } catch {
      badLines++;
    }
  }
  return { records, badLines };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
