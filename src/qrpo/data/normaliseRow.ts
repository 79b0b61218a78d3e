// Turns one dataset row, whatever its shape, into pointwise records. The shape is detected per row from the fields
// present: pointwise {prompt, completion}, TRL pairs {prompt, chosen, rejected}, and the QRPO authors' pairs of whole
// conversations {chosen, rejected} whose shared leading messages are the prompt (docs/qrpo.md §10).
import type { ChatMessage, PointwiseRecord, RowLocation, Text } from './records';
import { checkCompletion, readMessages, readRefRewards, readReward, readRewardOrList, readText } from './fields';
import { describeValue, rowError } from './rowErrors';

export interface NormaliseOptions {
  /** Require at least numRef reference rewards per row and keep the first numRef. */
  numRef?: number;
  /** Index of the row in its dataset; becomes the pairId of a pair's two records. */
  pairId?: number;
  /** Without numRef, every row's ref_rewards must have the length of the first row that had them. */
  expectedRefLength?: { length: number; location: RowLocation };
}

const REF_FIELDS = ['ref_rewards', 'refRewards'];
const CHOSEN_REWARD_FIELDS = ['chosen_rewards', 'chosen_reward', 'score_chosen'];
const REJECTED_REWARD_FIELDS = ['rejected_rewards', 'rejected_reward', 'score_rejected'];
const KNOWN_SHAPES = 'row has none of the known shapes (prompt+completion, prompt+chosen+rejected, chosen+rejected messages)';

type Fields = Record<string, unknown>;

/** One record for a pointwise row, two (chosen first) for a pair. Throws a DatasetError for a bad row. */
export function normaliseRow(row: unknown, location: RowLocation, options: NormaliseOptions = {}): PointwiseRecord[] {
  if (typeof row !== 'object' || row === null || Array.isArray(row) || ArrayBuffer.isView(row)) {
    throw rowError(`row is not an object, got ${describeValue(row)}`, location);
  }
  const fields = row as Fields;
  if (present(fields, 'completion')) return [pointwiseRecord(fields, location, options)];
  if (present(fields, 'chosen') || present(fields, 'rejected')) return pairRecords(fields, location, options);
  const names = Object.keys(fields);
  throw rowError(KNOWN_SHAPES, location, undefined, names.length === 0 ? 'it has no fields' : `its fields are ${names.join(', ')}`);
}

function present(fields: Fields, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(fields, name) && fields[name] !== undefined;
}

/** Optional numeric fields may be null: Parquet and Arrow columns are nullable. */
function firstGiven(fields: Fields, names: string[]): string | undefined {
  return names.find((name) => fields[name] !== undefined && fields[name] !== null);
}

function pointwiseRecord(fields: Fields, location: RowLocation, options: NormaliseOptions): PointwiseRecord {
  if (!present(fields, 'prompt')) throw rowError('prompt is missing', location, 'prompt');
  const prompt = readText(fields.prompt, location, 'prompt');
  const completion = readText(fields.completion, location, 'completion');
  checkCompletion(completion, location, 'completion');
  const record: PointwiseRecord = { prompt, completion, source: { ...location } };
  if (fields.reward !== undefined && fields.reward !== null) record.reward = readReward(fields.reward, location, 'reward');
  const refRewards = refRewardsOf(fields, location, options);
  if (refRewards) record.refRewards = refRewards;
  const extra = extraFields(fields, ['prompt', 'completion', 'reward', ...REF_FIELDS]);
  if (extra) record.extra = extra;
  return record;
}

function pairRecords(fields: Fields, location: RowLocation, options: NormaliseOptions): PointwiseRecord[] {
  if (!present(fields, 'chosen')) throw rowError('chosen is missing', location, 'chosen');
  if (!present(fields, 'rejected')) throw rowError('rejected is missing', location, 'rejected');
  const sides = wholeConversations(fields.chosen) ? implicitPromptPair(fields, location) : explicitPromptPair(fields, location);
  checkCompletion(sides.chosen, location, 'chosen');
  checkCompletion(sides.rejected, location, 'rejected');

  const chosenReward = pairReward(fields, CHOSEN_REWARD_FIELDS, location);
  const rejectedReward = pairReward(fields, REJECTED_REWARD_FIELDS, location);
  const refRewards = refRewardsOf(fields, location, options);
  const extra = extraFields(fields, ['prompt', 'chosen', 'rejected', ...CHOSEN_REWARD_FIELDS, ...REJECTED_REWARD_FIELDS, ...REF_FIELDS]);

  const side = (name: 'chosen' | 'rejected', completion: Text, reward: number | undefined): PointwiseRecord => {
    const record: PointwiseRecord = { prompt: sides.prompt, completion, source: { ...location } };
    if (reward !== undefined) record.reward = reward;
    if (refRewards) record.refRewards = refRewards.slice();
    record.side = name;
    if (options.pairId !== undefined) record.pairId = options.pairId;
    if (extra) record.extra = { ...extra };
    return record;
  };
  return [side('chosen', sides.chosen, chosenReward), side('rejected', sides.rejected, rejectedReward)];
}

function pairReward(fields: Fields, names: string[], location: RowLocation): number | undefined {
  const field = firstGiven(fields, names);
  return field === undefined ? undefined : readRewardOrList(fields[field], location, field);
}

/** The authors' (and UltraFeedback's) chosen/rejected hold the whole conversation, prompt included. */
function wholeConversations(chosen: unknown): boolean {
  if (!Array.isArray(chosen) || chosen.length === 0) return false;
  const first = chosen[0] as { role?: unknown } | null;
  return typeof first === 'object' && first !== null && first.role !== 'assistant';
}

interface PairSides {
  prompt: Text;
  chosen: Text;
  rejected: Text;
}

function explicitPromptPair(fields: Fields, location: RowLocation): PairSides {
  if (!present(fields, 'prompt')) throw rowError('prompt is missing', location, 'prompt');
  return {
    prompt: readText(fields.prompt, location, 'prompt'),
    chosen: readText(fields.chosen, location, 'chosen'),
    rejected: readText(fields.rejected, location, 'rejected'),
  };
}

/** The prompt is everything before the final assistant message, and chosen and rejected must agree on it. */
function implicitPromptPair(fields: Fields, location: RowLocation): PairSides {
  const chosen = splitFinalTurn(fields.chosen, location, 'chosen');
  const rejected = splitFinalTurn(fields.rejected, location, 'rejected');
  const difference = firstDifference(chosen.prompt, rejected.prompt);
  if (difference !== undefined) {
    throw rowError(`chosen and rejected do not share the prompt (${difference})`, location, 'rejected');
  }
  return { prompt: chosen.prompt, chosen: chosen.completion, rejected: rejected.completion };
}

function splitFinalTurn(value: unknown, location: RowLocation, field: string): { prompt: ChatMessage[]; completion: ChatMessage[] } {
  if (!Array.isArray(value)) throw rowError(`expected a list of messages, got ${describeValue(value)}`, location, field);
  const messages = readMessages(value, location, field);
  const last = messages[messages.length - 1];
  if (last === undefined || last.role !== 'assistant') {
    throw rowError('conversation does not end with an assistant message', location, field);
  }
  return { prompt: messages.slice(0, -1), completion: [last] };
}

function firstDifference(a: ChatMessage[], b: ChatMessage[]): string | undefined {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i].role !== b[i].role || a[i].content !== b[i].content) return `they differ at message ${i}`;
  }
  if (a.length !== b.length) return `chosen has ${messages(a.length)} before its answer, rejected has ${b.length}`;
  return undefined;
}

function messages(count: number): string {
  return count === 1 ? '1 message' : `${count} messages`;
}

function refRewardsOf(fields: Fields, location: RowLocation, options: NormaliseOptions): number[] | undefined {
  const field = firstGiven(fields, REF_FIELDS);
  if (field === undefined) return undefined;
  const refRewards = readRefRewards(fields[field], location, field, options.numRef);
  const expected = options.expectedRefLength;
  if (options.numRef === undefined && expected !== undefined && refRewards.length !== expected.length) {
    throw rowError(
      `ref_rewards has ${refRewards.length} entries, expected ${expected.length} as in ${expected.location.unit} ${expected.location.line}`,
      location,
      field,
      undefined,
      'Set numRef to use the first numRef entries of every list',
    );
  }
  return refRewards;
}

function extraFields(fields: Fields, consumed: string[]): Record<string, unknown> | undefined {
  let extra: Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(fields)) {
    if (consumed.includes(name)) continue;
    (extra ??= {})[name] = value;
  }
  return extra;
}
