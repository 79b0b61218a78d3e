// Field readers shared by every row shape: texts, message lists, rewards and reference rewards. Each throws a
// DatasetError that names the row and the field; none knows which file format the value came from.
import type { ChatMessage, RowLocation, Text } from './records';
import { describeValue, rowError } from './rowErrors';

export function isMessageList(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length > 0 && value.every((m) => typeof m === 'object' && m !== null && !Array.isArray(m));
}

export function readMessages(value: unknown[], location: RowLocation, field: string): ChatMessage[] {
  return value.map((message, index) => {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      throw rowError(`expected a message {role, content} at index ${index}, got ${describeValue(message)}`, location, field);
    }
    const { role, content } = message as Record<string, unknown>;
    if (typeof role !== 'string') throw rowError(`message ${index} has no string "role"`, location, field);
    if (typeof content !== 'string') throw rowError(`message ${index} has no string "content"`, location, field);
    return { role, content };
  });
}

/** A prompt or completion: a string or a list of {role, content} messages. */
export function readText(value: unknown, location: RowLocation, field: string): Text {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return readMessages(value, location, field);
  throw rowError(`expected a string or a list of messages, got ${describeValue(value)}`, location, field);
}

/** A completion must say something: a non-empty string, or messages that include a non-empty assistant turn. */
export function checkCompletion(completion: Text, location: RowLocation, field: string): void {
  if (typeof completion === 'string') {
    if (completion.length === 0) throw rowError('completion is empty', location, field);
    return;
  }
  if (completion.length === 0) throw rowError('completion is empty', location, field);
  const assistant = completion.filter((m) => m.role === 'assistant');
  if (assistant.length === 0) throw rowError('completion has no assistant message', location, field);
  if (assistant.every((m) => m.content.length === 0)) throw rowError('completion is empty', location, field);
}

// Python writes float('nan') as "nan" and float('inf') as "inf"; JSON can only carry them as strings.
const SPECIAL_NUMBERS: Record<string, number> = {
  nan: NaN,
  '+nan': NaN,
  '-nan': NaN,
  inf: Infinity,
  '+inf': Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-inf': -Infinity,
  '-infinity': -Infinity,
};

/** A number, a bigint, or a numeric string (CSV cells; "NaN" and "inf" as Python writes them). NaN passes through. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.length === 0) return undefined;
    const special = SPECIAL_NUMBERS[trimmed.toLowerCase()];
    if (special !== undefined) return special;
    const parsed = Number(trimmed);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

function nonFinite(value: number): string | undefined {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return undefined;
}

/** A finite reward. */
export function readReward(value: unknown, location: RowLocation, field: string): number {
  const number = toNumber(value);
  if (number === undefined) throw rowError(`expected a number, got ${describeValue(value)}`, location, field);
  const bad = nonFinite(number);
  if (bad !== undefined) throw rowError(`reward is ${bad}`, location, field);
  return number;
}

/**
 * A reward stored as a number or as a list. The authors' `chosen_rewards`/`rejected_rewards` hold one reward per
 * reward model; like their training code we use the first (element 0).
 */
export function readRewardOrList(value: unknown, location: RowLocation, field: string): number {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) return readReward(value, location, field);
  const list = Array.from(value as ArrayLike<unknown>);
  if (list.length === 0) throw rowError('expected a number or a list of numbers, got an empty list', location, field);
  return readReward(list[0], location, field);
}

/** A list of reference rewards; with numRef, at least numRef entries of which the first numRef are kept. */
export function readRefRewards(value: unknown, location: RowLocation, field: string, numRef?: number): number[] {
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    throw rowError(`expected a list of numbers, got ${describeValue(value)}`, location, field);
  }
  const list = Array.from(value as ArrayLike<unknown>);
  if (list.length === 0) throw rowError('ref_rewards is empty', location, field);
  if (numRef !== undefined && list.length < numRef) {
    throw rowError(`ref_rewards has ${list.length} entries, fewer than numRef = ${numRef}`, location, field);
  }
  const used = numRef === undefined ? list : list.slice(0, numRef);
  return used.map((entry, index) => {
    const number = toNumber(entry);
    if (number === undefined) throw rowError(`ref_rewards[${index}] is not a number (got ${describeValue(entry)})`, location, field);
    const bad = nonFinite(number);
    if (bad !== undefined) throw rowError(`ref_rewards[${index}] is ${bad}`, location, field);
    return number;
  });
}
