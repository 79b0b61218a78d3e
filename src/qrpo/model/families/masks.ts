// Which keys each query may attend to, and where each token sits, from HF's `attention_mask` (1 = token, 0 = pad),
// for left or right padding and with or without a KV cache. Matches transformers: a query attends to keys at or
// before its own position (causal) that are not padding; position ids are cumsum(mask) − 1 with pads set to 1, as
// `prepare_inputs_for_generation` computes them, so a left-padded sequence is scored like the unpadded one.
import {
  type Tensor,
  and,
  cast,
  cumSum,
  dimSize,
  equal,
  lessOrEqual,
  mul,
  not,
  range,
  reduceMax,
  sub,
  unsqueeze,
  where,
} from '../../graph';

/** [B, T] int64 positions: cumsum(attention_mask) − 1, and 1 at padded positions (HF generate's rule). */
export function positionIdsFromMask(attentionMask: Tensor): Tensor {
  const positions = sub(cumSum(attentionMask, 1), 1);
  return where(equal(attentionMask, 0), 1, positions);
}

/**
 * Bool [B, 1, 1, S, L]: query i of the S new tokens (at cache position P + i, P = L − S) may attend to key j iff
 * j ≤ P + i and attention_mask[b, j] = 1. The two unit axes broadcast over KV heads and query groups.
 */
export function attentionAllowed(attentionMask: Tensor, inputIds: Tensor): Tensor {
  const g = attentionMask.graph;
  const [zero, one] = [g.constant([0], [], 'int64'), g.constant([1], [], 'int64')];
  const keyLength = dimSize(attentionMask, 1);
  const pastLength = sub(keyLength, dimSize(inputIds, 1));
  const queryPositions = range(pastLength, keyLength, one, inputIds.shape[1]);
  const keyPositions = range(zero, keyLength, one, attentionMask.shape[1]);
  const causal = lessOrEqual(unsqueeze(keyPositions, [0]), unsqueeze(queryPositions, [1])); // [S, L]
  const keyIsToken = unsqueeze(equal(attentionMask, 1), [1, 2, 3]); // [B, 1, 1, 1, L]
  return and(causal, keyIsToken);
}

/**
 * [B] int64: the index of each row's last real token, the one whose hidden state a sequence-classification head
 * scores. `attention-mask`: the last position with mask 1 (left or right padding). `pad-token`: transformers'
 * rule, the last position whose id is not the pad token (it differs when the pad token also ends a completion).
 */
export function lastTokenIndex(inputIds: Tensor, attentionMask: Tensor, rule: 'attention-mask' | { padTokenId: number }): Tensor {
  const g = inputIds.graph;
  const positions = range(g.constant([0], [], 'int64'), dimSize(inputIds, 1), g.constant([1], [], 'int64'), inputIds.shape[1]);
  const isToken = rule === 'attention-mask' ? attentionMask : cast(not(equal(inputIds, rule.padTokenId)), 'int64');
  return reduceMax(mul(unsqueeze(positions, [0]), isToken), [1]);
}
