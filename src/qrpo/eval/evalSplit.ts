// The selection/reporting split of evaluation prompts (qrpo.md §8): the paper picks a checkpoint on one share of the
// held-out prompts and reports its numbers on the rest, so the reported numbers are not inflated by the choice. A
// prompt's side depends only on its key and the share, never on the order or number of prompts, so every checkpoint
// of a run, and every rerun, puts each prompt on the same side.
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors';

export type EvalSplit = 'selection' | 'reporting';
export const EVAL_SPLITS: readonly EvalSplit[] = ['selection', 'reporting'];

/** A prompt's position in [0, 1): the first 48 bits of SHA-256 of its key (uniform, stable across platforms). */
export function splitPosition(promptKey: string): number {
  const digest = createHash('sha256').update(`qrpo-eval-split:${promptKey}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** `selection` for about `selectionShare` of the prompts, `reporting` for the rest; share 0 reports on every prompt. */
export function evalSplitOf(promptKey: string, selectionShare: number): EvalSplit {
  requireSelectionShare(selectionShare);
  return splitPosition(promptKey) < selectionShare ? 'selection' : 'reporting';
}

export function requireSelectionShare(selectionShare: number): void {
  if (!(Number.isFinite(selectionShare) && selectionShare >= 0 && selectionShare < 1)) {
    throw new ConfigError(`eval.selection_split must be in [0, 1), got ${selectionShare}`, '0 reports on every prompt; 0.5 selects on half and reports on the other half, as the paper');
  }
}
