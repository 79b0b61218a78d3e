// Validates what the run Quantile Rewards webview posts, and the state the serializer restores from.
import { asCommonWebviewMessage, asLinkedPanel, asNonNegativeInteger, isRecord } from '../results/messageFields';
import type { RunQuantilesPanelState, RunQuantilesWebviewMessage } from './runQuantilesProtocol';

export function asRunQuantilesMessage(value: unknown): RunQuantilesWebviewMessage | undefined {
  const common = asCommonWebviewMessage(value);
  if (common || !isRecord(value)) return common;
  if (value.type === 'selectStep') {
    const step = asNonNegativeInteger(value.step);
    return step === undefined ? undefined : { type: 'selectStep', step };
  }
  if (value.type === 'openPanel') {
    const panel = asLinkedPanel(value.panel);
    return panel ? { type: 'openPanel', panel } : undefined;
  }
  return undefined;
}

export function asRunQuantilesState(value: unknown): RunQuantilesPanelState | undefined {
  if (!isRecord(value) || typeof value.run !== 'string') return undefined;
  const step = isRecord(value.view) ? asNonNegativeInteger(value.view.step) : undefined;
  return { run: value.run, view: { step } };
}
