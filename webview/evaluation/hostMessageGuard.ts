// Checks the Evaluation host's messages before the panel draws them.
import type { EvaluationHostMessage } from '../../src/extension/panels/evaluation/protocol';

export function asEvaluationHostMessage(value: unknown): EvaluationHostMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'data':
      return isObject(m.header) && Array.isArray(m.steps) && Array.isArray(m.checkpoints) && isObject(m.view) && Array.isArray(m.notes) ? (m as unknown as EvaluationHostMessage) : undefined;
    case 'samples':
      return typeof m.step === 'number' && typeof m.query === 'string' && typeof m.offset === 'number' && typeof m.total === 'number' && Array.isArray(m.rows)
        ? (m as unknown as EvaluationHostMessage)
        : undefined;
    case 'loadError':
      return typeof m.message === 'string' ? (m as unknown as EvaluationHostMessage) : undefined;
    default:
      return undefined;
  }
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}
