// Validates what the curves webviews (Training Curves, Compare Runs) post before the host acts on it: the page
// draws file contents, so its messages are input like any other.
import { asCspViolationMessage } from '../results/messageFields';
import {
  exportFormats,
  xAxes,
  type CurvesPanelState,
  type CurvesViewState,
  type CurvesWebviewMessage,
  type ExportFormat,
  type XAxis,
} from './protocol';

export function asCurvesWebviewMessage(value: unknown): CurvesWebviewMessage | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case 'ready':
    case 'resync':
      return { type: value.type };
    case 'rendered': {
      const view = asViewState(value.view);
      const numbers = ['points', 'ms', 'charts', 'runs', 'digest'].every((k) => typeof value[k] === 'number');
      if (!view || !numbers || !isRecord(value.rows)) return undefined;
      return value as unknown as CurvesWebviewMessage;
    }
    case 'viewChanged': {
      const view = asViewState(value.view);
      return view ? { type: 'viewChanged', view } : undefined;
    }
    case 'exportData':
      if (!exportFormats.includes(value.format as ExportFormat) || typeof value.fileName !== 'string' || typeof value.content !== 'string') return undefined;
      if (value.encoding !== 'base64' && value.encoding !== 'utf8') return undefined;
      return {
        type: 'exportData',
        requestId: typeof value.requestId === 'number' ? value.requestId : undefined,
        format: value.format as ExportFormat,
        fileName: value.fileName,
        encoding: value.encoding,
        content: value.content,
      };
    case 'cspViolation':
      return asCspViolationMessage(value);
    default:
      return undefined;
  }
}

export function asViewState(value: unknown): CurvesViewState | undefined {
  if (!isRecord(value)) return undefined;
  const { metrics, xAxis, smoothing, hiddenRuns } = value;
  if (!isStringArray(metrics) || !xAxes.includes(xAxis as XAxis) || typeof smoothing !== 'number' || !isStringArray(hiddenRuns)) return undefined;
  return { metrics, xAxis: xAxis as XAxis, smoothing: clampSmoothing(smoothing), hiddenRuns };
}

/** A partial view from a command argument or a test; unknown or malformed fields are dropped. */
export function asPartialViewState(value: unknown): Partial<CurvesViewState> | undefined {
  if (!isRecord(value)) return undefined;
  const view: { -readonly [K in keyof CurvesViewState]?: CurvesViewState[K] } = {};
  if (isStringArray(value.metrics)) view.metrics = value.metrics;
  if (xAxes.includes(value.xAxis as XAxis)) view.xAxis = value.xAxis as XAxis;
  if (typeof value.smoothing === 'number') view.smoothing = clampSmoothing(value.smoothing);
  if (isStringArray(value.hiddenRuns)) view.hiddenRuns = value.hiddenRuns;
  return Object.keys(view).length ? view : undefined;
}

export function asCurvesPanelState(value: unknown): CurvesPanelState | undefined {
  if (!isRecord(value) || !isStringArray(value.runs) || value.runs.length === 0) return undefined;
  return { runs: value.runs, view: asViewState(value.view) };
}

function clampSmoothing(value: number): number {
  return Number.isFinite(value) ? Math.min(0.999, Math.max(0, value)) : 0;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
