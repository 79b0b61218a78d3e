// Stop strings, checked on decoded text after every token, because a stop string can span several tokens and a
// token can carry more than the stop string ("." and ".\n\n"). Only a window of the latest tokens is decoded each
// step, so checking stays O(1) per token however long the completion grows.
import { ConfigError } from '../errors';

/** Decodes token ids to text, special tokens included (a stop string may be a special token's text). */
export type TokenDecoder = (ids: readonly number[]) => string;

export class StopStringMatcher {
  private readonly window: number;

  constructor(
    readonly stopStrings: readonly string[],
    private readonly decode: TokenDecoder,
  ) {
    if (stopStrings.some((s) => s.length === 0)) throw new ConfigError('a stop string must not be empty');
    // Every token decodes to at least one byte; twice the longest stop string's UTF-8 length, plus a margin for a
    // character split at the window's start, always covers a match that ends in the newest token.
    const longest = Math.max(0, ...stopStrings.map((s) => Buffer.byteLength(s, 'utf8')));
    this.window = 2 * longest + 8;
  }

  /** The stop string that the newest token completes or contains, if any (the earliest match wins). */
  match(completionIds: readonly number[]): string | undefined {
    if (this.stopStrings.length === 0 || completionIds.length === 0) return undefined;
    const start = Math.max(0, completionIds.length - this.window);
    const before = this.decode(completionIds.slice(start, -1));
    const after = this.decode(completionIds.slice(start));
    // Text that only the newest token changed: a pending multi-byte character may settle here too.
    let settled = 0;
    while (settled < before.length && settled < after.length && before.charCodeAt(settled) === after.charCodeAt(settled)) settled++;
    let best: { at: number; stop: string } | undefined;
    for (const stop of this.stopStrings) {
      const at = after.indexOf(stop, Math.max(0, settled - stop.length + 1));
      if (at >= 0 && (best === undefined || at < best.at)) best = { at, stop };
    }
    return best?.stop;
  }
}

/** Text before the first occurrence of a stop string (OpenAI- and vLLM-style trimming). */
export function textBeforeStop(text: string, stop: string): string {
  const at = text.indexOf(stop);
  return at < 0 ? text : text.slice(0, at);
}
