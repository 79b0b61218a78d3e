// Checks the Dataset Preview host's messages before the editor draws them.
import type { DatasetPreviewHostMessage } from '../../src/extension/datasets/protocol';

export function asDatasetPreviewHostMessage(value: unknown): DatasetPreviewHostMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'page':
      return typeof m.offset === 'number' && typeof m.pageSize === 'number' && Array.isArray(m.rows) && typeof m.hasMore === 'boolean' ? (m as unknown as DatasetPreviewHostMessage) : undefined;
    case 'counts':
      return typeof m.rows === 'number' && typeof m.invalidRows === 'number' && Array.isArray(m.firstProblems) ? (m as unknown as DatasetPreviewHostMessage) : undefined;
    case 'loadError':
      return typeof m.message === 'string' ? (m as unknown as DatasetPreviewHostMessage) : undefined;
    default:
      return undefined;
  }
}
