// Validates what the Quantile Rewards webview posts before the host acts on it: the webview renders content from
// files on disk, so its messages are input like any other.
import { asCspViolationMessage } from '../results/messageFields';
import type { PreparationInfo, QuantileRewardsPanelState, QuantileRewardsWebviewMessage } from './protocol';

export function asWebviewMessage(value: unknown): QuantileRewardsWebviewMessage | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case 'ready':
      return { type: 'ready' };
    case 'rendered':
      return typeof value.records === 'number' ? { type: 'rendered', records: value.records } : undefined;
    case 'cspViolation':
      return asCspViolationMessage(value);
    default:
      return undefined;
  }
}

export function asPanelState(value: unknown): QuantileRewardsPanelState | undefined {
  if (!isRecord(value) || typeof value.file !== 'string') return undefined;
  return { file: value.file, preparation: asPreparation(value.preparation) };
}

function asPreparation(value: unknown): PreparationInfo | undefined {
  if (!isRecord(value) || typeof value.beta !== 'number' || typeof value.transform !== 'string') return undefined;
  return {
    beta: value.beta,
    transform: value.transform,
    logZ: typeof value.logZ === 'number' ? value.logZ : undefined,
    numRef: typeof value.numRef === 'number' ? value.numRef : undefined,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
