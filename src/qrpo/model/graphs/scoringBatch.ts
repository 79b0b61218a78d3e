// Packs tokenized (prompt, completion) pairs into the scoring and training graphs' int64 inputs: one row per
// sequence, padded to the longest with `padTokenId` on the left or the right, attention_mask 1 on tokens and
// completion_mask 1 on completion tokens. The logits of a pad never reach a score, so any valid id pads.
export interface TokenizedSequence {
  readonly prompt: readonly number[];
  readonly completion: readonly number[];
}

export interface ScoringBatch {
  readonly dims: [batch: number, seq: number];
  readonly inputIds: BigInt64Array;
  readonly attentionMask: BigInt64Array;
  readonly completionMask: BigInt64Array;
}

export function packScoringBatch(sequences: readonly TokenizedSequence[], options: { padding?: 'left' | 'right'; padTokenId?: number } = {}): ScoringBatch {
  const seq = Math.max(1, ...sequences.map((s) => s.prompt.length + s.completion.length));
  const batch = sequences.length;
  const inputIds = new BigInt64Array(batch * seq).fill(BigInt(options.padTokenId ?? 0));
  const attentionMask = new BigInt64Array(batch * seq);
  const completionMask = new BigInt64Array(batch * seq);
  sequences.forEach((s, b) => {
    const length = s.prompt.length + s.completion.length;
    const start = b * seq + (options.padding === 'left' ? seq - length : 0);
    [...s.prompt, ...s.completion].forEach((id, t) => {
      inputIds[start + t] = BigInt(id);
      attentionMask[start + t] = 1n;
      if (t >= s.prompt.length) completionMask[start + t] = 1n;
    });
  });
  return { dims: [batch, seq], inputIds, attentionMask, completionMask };
}

/** The batch as GraphSession feeds. */
export function scoringFeeds(batch: ScoringBatch): Record<string, { data: BigInt64Array; dims: number[] }> {
  const dims = [...batch.dims];
  return {
    input_ids: { data: batch.inputIds, dims },
    attention_mask: { data: batch.attentionMask, dims },
    completion_mask: { data: batch.completionMask, dims },
  };
}
