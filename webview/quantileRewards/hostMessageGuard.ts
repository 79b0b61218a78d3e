// Checks the host's messages before the panel draws them; typed arrays must arrive as Float64Array.
import type { QuantileRewardsHostMessage } from '../../src/extension/panels/quantileRewards/protocol';

export function asHostMessage(value: unknown): QuantileRewardsHostMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (m.type === 'loadError') {
    return typeof m.message === 'string' && typeof m.displayPath === 'string' ? (m as unknown as QuantileRewardsHostMessage) : undefined;
  }
  if (m.type !== 'data') return undefined;
  const ok =
    typeof m.file === 'string' &&
    typeof m.displayPath === 'string' &&
    typeof m.records === 'number' &&
    typeof m.skippedLines === 'number' &&
    m.quantiles instanceof Float64Array &&
    m.targets instanceof Float64Array &&
    m.quantiles.length === m.records &&
    m.targets.length === m.records;
  return ok ? (m as unknown as QuantileRewardsHostMessage) : undefined;
}
