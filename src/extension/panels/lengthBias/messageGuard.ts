// Validates what the Length Bias webview posts, and the state the serializer restores from.
import { asCommonWebviewMessage, asLinkedPanel, asSplitChoice, isRecord } from '../results/messageFields';
import type { LengthBiasPanelState, LengthBiasViewState, LengthBiasWebviewMessage } from './protocol';

export function asLengthBiasMessage(value: unknown): LengthBiasWebviewMessage | undefined {
  const common = asCommonWebviewMessage(value);
  if (common || !isRecord(value)) return common;
  if (value.type === 'view') {
    const view = asLengthBiasView(value.view);
    return view ? { type: 'view', view } : undefined;
  }
  if (value.type === 'openPanel') {
    const panel = asLinkedPanel(value.panel);
    return panel ? { type: 'openPanel', panel } : undefined;
  }
  return undefined;
}

export function asLengthBiasView(value: unknown): LengthBiasViewState | undefined {
  if (!isRecord(value)) return undefined;
  const shown = Array.isArray(value.shown) && value.shown.length <= 10_000 && value.shown.every((k) => typeof k === 'string' && k.length < 2_000) ? (value.shown as string[]) : undefined;
  return { split: asSplitChoice(value.split) ?? 'all', shown };
}

export function asLengthBiasState(value: unknown): LengthBiasPanelState | undefined {
  if (!isRecord(value) || !Array.isArray(value.runs) || !value.runs.every((r) => typeof r === 'string') || value.runs.length === 0) return undefined;
  return { runs: value.runs as string[], view: asLengthBiasView(value.view) };
}
