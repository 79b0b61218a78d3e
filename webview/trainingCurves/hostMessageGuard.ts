// Checks the host's messages before the curves draw them: columns must arrive as Float64Array of the stated
// length, names and columns must pair up.
import type { CurvesHostMessage, MetricColumns } from '../../src/extension/panels/trainingCurves/protocol';

export function asCurvesHostMessage(value: unknown): CurvesHostMessage | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case 'snapshot':
      return Array.isArray(value.runs) && value.runs.every(isRunSnapshot) && isRecord(value.view) ? (value as unknown as CurvesHostMessage) : undefined;
    case 'append':
      return typeof value.run === 'string' && typeof value.start === 'number' && isColumns(value.metrics) ? (value as unknown as CurvesHostMessage) : undefined;
    case 'setView':
      return isRecord(value.view) ? (value as unknown as CurvesHostMessage) : undefined;
    case 'exportRequest':
      return typeof value.requestId === 'number' && typeof value.chart === 'string' && typeof value.format === 'string' ? (value as unknown as CurvesHostMessage) : undefined;
    default:
      return undefined;
  }
}

function isRunSnapshot(value: unknown): boolean {
  return isRecord(value) && typeof value.id === 'string' && typeof value.name === 'string' && typeof value.displayPath === 'string' && isColumns(value.metrics);
}

function isColumns(value: unknown): value is MetricColumns {
  if (!isRecord(value) || typeof value.rows !== 'number' || !Array.isArray(value.names) || !Array.isArray(value.columns)) return false;
  const { rows, names, columns } = value as { rows: number; names: unknown[]; columns: unknown[] };
  return names.length === columns.length && names.every((n) => typeof n === 'string') && columns.every((c) => c instanceof Float64Array && c.length === rows);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
