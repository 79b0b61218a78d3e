// Validates what the Length Bias webview posts, and the state the serializer restores from.
import { asResultsWebviewMessage, asSplitChoice, isRecord } from '../results/messageFields';
import type { LengthBiasPanelState, LengthBiasViewState, LengthBiasWebviewMessage } from './protocol';

export function asLengthBiasMessage(value: unknown): LengthBiasWebviewMessage | undefined {
  return asResultsWebviewMessage<LengthBiasWebviewMessage>(value, (message) => {
    if (message.type !== 'view') return undefined;
    const view = asLengthBiasView(message.view);
    return view ? { type: 'view', view } : undefined;
  });
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
