// Small checks for validating messages on arrival, on either side of a panel. A webview renders file content and
// a host reads files written by another process, so neither trusts what the other posts.
import type { CommonWebviewMessage, CspViolationMessage, ExportFormat, LinkedPanel, ResultsWebviewMessage, SplitChoice } from './commonProtocol';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function asString(value: unknown, maxLength = 1_000): string | undefined {
  return typeof value === 'string' && value.length <= maxLength ? value : undefined;
}

export function asNonNegativeInteger(value: unknown): number | undefined {
  return Number.isInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

export function asSplitChoice(value: unknown): SplitChoice | undefined {
  return value === 'all' || value === 'selection' || value === 'reporting' ? value : undefined;
}

export function asExportFormat(value: unknown): ExportFormat | undefined {
  return value === 'csv' || value === 'json' ? value : undefined;
}

export function asLinkedPanel(value: unknown): LinkedPanel | undefined {
  return value === 'evaluation' || value === 'quantileRewards' || value === 'lengthBias' || value === 'trainingCurves' ? value : undefined;
}

/** The messages every results webview may send; undefined for anything else. */
export function asCommonWebviewMessage(value: unknown): CommonWebviewMessage | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case 'ready':
      return { type: 'ready' };
    case 'rendered': {
      const what = asString(value.what, 100);
      return what !== undefined && isFiniteNumber(value.count) ? { type: 'rendered', what, count: value.count } : undefined;
    }
    case 'cspViolation':
      return asCspViolationMessage(value);
    case 'exportData': {
      const what = asString(value.what, 100);
      const format = asExportFormat(value.format);
      return what !== undefined && format ? { type: 'exportData', what, format } : undefined;
    }
    default:
      return undefined;
  }
}

/** A CSP violation report, its texts cut to a length fit for a log line. */
export function asCspViolationMessage(value: Record<string, unknown>): CspViolationMessage {
  return {
    type: 'cspViolation',
    directive: String(value.directive ?? '').slice(0, 200),
    blockedUri: String(value.blockedUri ?? '').slice(0, 500),
    sample: String(value.sample ?? '').slice(0, 200),
  };
}

/**
 * What a run results panel's webview may send: the common messages, `openPanel`, and what `asOwn` accepts of the
 * panel's own; undefined for anything else.
 */
export function asResultsWebviewMessage<Own>(value: unknown, asOwn: (message: Record<string, unknown>) => Own | undefined): ResultsWebviewMessage<Own> | undefined {
  const common = asCommonWebviewMessage(value);
  if (common || !isRecord(value)) return common;
  if (value.type === 'openPanel') {
    const panel = asLinkedPanel(value.panel);
    return panel ? { type: 'openPanel', panel } : undefined;
  }
  return asOwn(value);
}
