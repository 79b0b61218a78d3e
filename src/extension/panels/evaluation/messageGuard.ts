// Validates what the Evaluation webview posts, and the state the serializer gets back, before the host acts on it.
import { asNonNegativeInteger, asResultsWebviewMessage, asSplitChoice, asString, isRecord } from '../results/messageFields';
import type { EvaluationPanelState, EvaluationViewState, EvaluationWebviewMessage } from './protocol';

export function asEvaluationMessage(value: unknown): EvaluationWebviewMessage | undefined {
  return asResultsWebviewMessage<EvaluationWebviewMessage>(value, (message) => {
    switch (message.type) {
      case 'requestSamples': {
        const step = asNonNegativeInteger(message.step);
        const query = asString(message.query, 500);
        const offset = asNonNegativeInteger(message.offset);
        return step !== undefined && query !== undefined && offset !== undefined ? { type: 'requestSamples', step, query, offset } : undefined;
      }
      case 'selectSplit': {
        const split = asSplitChoice(message.split);
        return split ? { type: 'selectSplit', split } : undefined;
      }
      default:
        return undefined;
    }
  });
}

export function asEvaluationState(value: unknown): EvaluationPanelState | undefined {
  if (!isRecord(value) || typeof value.run !== 'string') return undefined;
  return { run: value.run, view: asViewState(value.view) };
}

export function asViewState(value: unknown): EvaluationViewState | undefined {
  if (!isRecord(value)) return undefined;
  return {
    split: asSplitChoice(value.split) ?? 'all',
    tableStep: asNonNegativeInteger(value.tableStep),
    query: asString(value.query, 500) ?? '',
    offset: asNonNegativeInteger(value.offset) ?? 0,
  };
}
