// Checks the Length Bias host's messages; points must arrive as typed arrays of one length.
import type { LengthBiasHostMessage } from '../../src/extension/panels/lengthBias/protocol';

export function asLengthBiasHostMessage(value: unknown): LengthBiasHostMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (m.type === 'loadError') return typeof m.message === 'string' ? (m as unknown as LengthBiasHostMessage) : undefined;
  if (m.type !== 'data' || !Array.isArray(m.runs) || !Array.isArray(m.series) || !Array.isArray(m.lengths) || typeof m.view !== 'object') return undefined;
  const seriesOk = (m.series as Record<string, unknown>[]).every(
    (s) =>
      typeof s.key === 'string' &&
      typeof s.run === 'string' &&
      s.x instanceof Float64Array &&
      s.y instanceof Float64Array &&
      s.split instanceof Uint8Array &&
      s.x.length === s.y.length &&
      s.split.length === s.x.length &&
      typeof s.fits === 'object',
  );
  const lengthsOk = (m.lengths as Record<string, unknown>[]).every((l) => l.steps instanceof Float64Array && l.meanLength instanceof Float64Array);
  return seriesOk && lengthsOk ? (m as unknown as LengthBiasHostMessage) : undefined;
}
