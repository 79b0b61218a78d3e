// Checks the run Quantile Rewards host's messages; quantiles must arrive as Float64Array.
import type { RunQuantilesHostMessage } from '../../src/extension/panels/quantileRewards/runQuantilesProtocol';

export function asRunQuantilesHostMessage(value: unknown): RunQuantilesHostMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (m.type === 'loadError') return typeof m.message === 'string' ? (m as unknown as RunQuantilesHostMessage) : undefined;
  if (m.type !== 'data' || typeof m.header !== 'object' || !Array.isArray(m.checkpoints) || !Array.isArray(m.notes)) return undefined;
  const groups = [m.dataset, m.reference].filter((g) => g !== undefined) as Record<string, unknown>[];
  if (!groups.every((g) => g.quantiles instanceof Float64Array)) return undefined;
  const checkpointsOk = (m.checkpoints as Record<string, unknown>[]).every(
    (c) => typeof c.step === 'number' && c.quantiles instanceof Float64Array && c.split instanceof Uint8Array && c.split.length === c.quantiles.length,
  );
  const target = m.target as Record<string, unknown> | undefined;
  const targetOk = target === undefined || (target.q instanceof Float64Array && target.value instanceof Float64Array && target.q.length === target.value.length);
  return checkpointsOk && targetOk ? (m as unknown as RunQuantilesHostMessage) : undefined;
}
