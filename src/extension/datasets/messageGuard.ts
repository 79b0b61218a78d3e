// Validates what the Dataset Preview webview posts before the host acts on it.
import { asCommonWebviewMessage, asNonNegativeInteger, isRecord } from '../panels/results/messageFields';
import type { DatasetPreviewWebviewMessage } from './protocol';

export function asDatasetPreviewMessage(value: unknown): DatasetPreviewWebviewMessage | undefined {
  const common = asCommonWebviewMessage(value);
  if (common || !isRecord(value)) return common;
  if (value.type !== 'requestPage') return undefined;
  const offset = asNonNegativeInteger(value.offset);
  return offset !== undefined && typeof value.onlyInvalid === 'boolean' ? { type: 'requestPage', offset, onlyInvalid: value.onlyInvalid } : undefined;
}
