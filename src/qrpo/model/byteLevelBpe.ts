// A byte-level BPE tokenizer in Hugging Face `tokenizers` JSON format, trained on a small corpus in milliseconds: the
// 256 byte symbols of GPT-2's byte-to-unicode table, merges learned the way BPE training learns them (most frequent
// adjacent pair first), then special tokens. Real enough that `@huggingface/tokenizers` and Python `tokenizers` load
// it like a Hub tokenizer.json; the demo's tokenizer and the test fixtures' are trained with it.

/** GPT-2's pre-tokenization pattern: contractions, letters, digits, punctuation runs, whitespace. */
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * GPT-2's reversible byte → printable character map: printable Latin-1 bytes map to themselves, the rest (space,
 * control bytes…) to code points from 256 up, so every byte string becomes visible text BPE can merge over.
 * Returned in GPT-2's order, which is also the order of ids 0–255 in its vocabulary.
 */
export function byteLevelAlphabet(): { byte: number; symbol: string }[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const alphabet: { byte: number; symbol: string }[] = [];
  for (let b = 0; b < 256; b++) if (printable(b)) alphabet.push({ byte: b, symbol: String.fromCodePoint(b) });
  let extra = 0;
  for (let b = 0; b < 256; b++) if (!printable(b)) alphabet.push({ byte: b, symbol: String.fromCodePoint(256 + extra++) });
  return alphabet;
}

export interface TrainedBpe {
  /** Token → id: bytes 0–255, then one token per merge. Special tokens are not in it (they are added tokens). */
  readonly vocab: Record<string, number>;
  readonly merges: [string, string][];
}

/** Learns `mergeCount` merges from `corpus`; ties between equally frequent pairs go to the smaller pair string. */
export function trainByteLevelBpe(corpus: string, mergeCount: number): TrainedBpe {
  const alphabet = byteLevelAlphabet();
  const symbolOfByte = new Map(alphabet.map(({ byte, symbol }) => [byte, symbol]));
  const vocab: Record<string, number> = {};
  alphabet.forEach(({ symbol }, id) => (vocab[symbol] = id));

  const wordCounts = new Map<string, number>();
  for (const word of corpus.match(GPT2_SPLIT) ?? []) {
    const symbols = [...new TextEncoder().encode(word)].map((b) => symbolOfByte.get(b)!).join('\u0000');
    wordCounts.set(symbols, (wordCounts.get(symbols) ?? 0) + 1);
  }
  let words = [...wordCounts].map(([symbols, count]) => ({ symbols: symbols.split('\u0000'), count }));

  const merges: [string, string][] = [];
  while (merges.length < mergeCount) {
    const best = mostFrequentPair(words);
    if (!best) break;
    merges.push(best);
    vocab[best[0] + best[1]] = Object.keys(vocab).length;
    words = words.map(({ symbols, count }) => ({ symbols: applyMerge(symbols, best), count }));
  }
  return { vocab, merges };
}

function mostFrequentPair(words: readonly { symbols: string[]; count: number }[]): [string, string] | undefined {
  const counts = new Map<string, number>();
  for (const { symbols, count } of words) {
    for (let i = 0; i + 1 < symbols.length; i++) {
      const key = `${symbols[i]}\u0000${symbols[i + 1]}`;
      counts.set(key, (counts.get(key) ?? 0) + count);
    }
  }
  let best: string | undefined;
  for (const [key, count] of counts) {
    const bestCount = best === undefined ? 0 : counts.get(best)!;
    if (count > bestCount || (count === bestCount && key < best!)) best = key;
  }
  return best === undefined ? undefined : (best.split('\u0000') as [string, string]);
}

function applyMerge(symbols: readonly string[], [left, right]: readonly [string, string]): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
      out.push(left + right);
      i++;
    } else out.push(symbols[i]);
  }
  return out;
}

export interface TokenizerJsonOptions {
  readonly bpe: TrainedBpe;
  /** Special tokens in id order, numbered after the BPE vocabulary. */
  readonly specialTokens: readonly string[];
  /** A token the post-processor prepends to every encoded sequence (Llama 3's `<|begin_of_text|>`). */
  readonly prependBos?: string;
}

/** The tokenizer.json document, with ids of the special tokens. */
export function tokenizerJson({ bpe, specialTokens, prependBos }: TokenizerJsonOptions): {
  json: Record<string, unknown>;
  specialIds: Record<string, number>;
} {
  const firstSpecial = Object.keys(bpe.vocab).length;
  const specialIds: Record<string, number> = {};
  specialTokens.forEach((token, i) => (specialIds[token] = firstSpecial + i));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialTokens.map((content) => ({
      id: specialIds[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: prependBos ? prependingPostProcessor(prependBos, specialIds[prependBos]) : { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: bpe.vocab,
      merges: bpe.merges,
    },
  };
  return { json, specialIds };
}

/** Llama 3's post-processor: `<bos> $A` for one sequence, `<bos> $A <bos> $B` for a pair. */
function prependingPostProcessor(bos: string, bosId: number): Record<string, unknown> {
  const special = { SpecialToken: { id: bos, type_id: 0 } };
  return {
    type: 'TemplateProcessing',
    single: [special, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [special, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: bos, type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
    special_tokens: { [bos]: { id: bos, ids: [bosId], tokens: [bos] } },
  };
}
