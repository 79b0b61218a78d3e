// One interface for every way a completion gets its reward (design.md: reward/): a reward model folder (ONNX or
// HF safetensors through the engine), a JavaScript module in the workspace, or a dataset column. The run's
// reward-scoring stage, the off-policy training data and the evaluation all score through it, so every reward a
// quantile compares comes from the same function.
import type { Text } from '../data';
import { QrpoError } from '../errors';

export type RewardSourceKind = 'model' | 'column' | 'module';

export interface RewardItem {
  readonly prompt: Text;
  readonly completion: Text;
  /** Where the item came from (`data/train.jsonl line 3`, `reference sample 2 of prompt 5`), for error messages. */
  readonly origin?: string;
}

export interface RewardSource {
  readonly kind: RewardSourceKind;
  /** What scores, for logs and summaries: `reward model models/rm (onnx)`, `reward module rewards/length.mjs`. */
  readonly description: string;
  /** One finite reward per item, in order. */
  score(items: readonly RewardItem[]): Promise<number[]>;
  dispose(): Promise<void>;
}

/** A reward that cannot be computed: a module that throws or returns NaN, a source that cannot score new text. */
export class RewardError extends QrpoError {}

/** `item 3 (data/train.jsonl line 7)`: how errors name an item. */
export function describeItem(items: readonly RewardItem[], index: number): string {
  const origin = items[index]?.origin;
  return origin === undefined ? `item ${index}` : `item ${index} (${origin})`;
}

/** Rewards are plain finite numbers: anything else is an error naming the source and the item. */
export function requireFiniteRewards(values: readonly unknown[], items: readonly RewardItem[], source: string): number[] {
  return values.map((value, index) => {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    const shown = typeof value === 'number' ? String(value) : value === undefined ? 'undefined' : `${JSON.stringify(value) ?? String(value)} (a ${value === null ? 'null' : typeof value})`;
    throw new RewardError(`${source} returned ${shown} for ${describeItem(items, index)}; a reward must be a finite number`);
  });
}

/** Splits `items` into consecutive batches of at most `size`. */
export function* batchesOf<T>(items: readonly T[], size: number): Generator<readonly T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}
