// Validates what the run Quantile Rewards webview posts, and the state the serializer restores from.
import { asNonNegativeInteger, asResultsWebviewMessage, isRecord } from '../results/messageFields';
import type { RunQuantilesPanelState, RunQuantilesWebviewMessage } from './runQuantilesProtocol';

export function asRunQuantilesMessage(value: unknown): RunQuantilesWebviewMessage | undefined {
  return asResultsWebviewMessage<RunQuantilesWebviewMessage>(value, (message) => {
    if (message.type !== 'selectStep') return undefined;
    const step = asNonNegativeInteger(message.step);
    return step === undefined ? undefined : { type: 'selectStep', step };
  });
}

export function asRunQuantilesState(value: unknown): RunQuantilesPanelState | undefined {
  if (!isRecord(value) || typeof value.run !== 'string') return undefined;
  const step = isRecord(value.view) ? asNonNegativeInteger(value.view.step) : undefined;
  return { run: value.run, view: { step } };
}
