// Stop strings on decoded text: across token boundaries, inside a longer token, after multi-byte characters.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StopStringMatcher, textBeforeStop } from '../../../src/qrpo/sample';

// A toy vocabulary: a token is a piece of text; "\u00e9" is split over two byte tokens like byte-level BPE does.
const PIECES = ['Hel', 'lo', '\n', '\n\n', 'User', ':', ' ', 'x', '<0xC3>', '<0xA9>', '.\nThe'];
function decode(ids: readonly number[]): string {
  const bytes: number[] = [];
  for (const id of ids) {
    const piece = PIECES[id];
    const hex = /^<0x([0-9A-F]{2})>$/.exec(piece);
    if (hex) bytes.push(parseInt(hex[1], 16));
    else bytes.push(...Buffer.from(piece, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function firstStop(matcher: StopStringMatcher, ids: number[]): { at: number; stop: string } | undefined {
  for (let n = 1; n <= ids.length; n++) {
    const stop = matcher.match(ids.slice(0, n));
    if (stop !== undefined) return { at: n, stop };
  }
  return undefined;
}

describe('StopStringMatcher', () => {
  test('fires on the token that completes a stop string spread over several tokens', () => {
    const matcher = new StopStringMatcher(['\nUser:'], decode);
    assert.deepEqual(firstStop(matcher, [0, 1, 2, 4, 5, 6, 7]), { at: 5, stop: '\nUser:' });
  });

  test('fires on a token that carries the stop string and more', () => {
    assert.deepEqual(firstStop(new StopStringMatcher(['\n'], decode), [0, 1, 3, 7]), { at: 3, stop: '\n' });
    assert.deepEqual(firstStop(new StopStringMatcher(['.'], decode), [0, 10, 7]), { at: 2, stop: '.' });
  });

  test('a character split over byte tokens matches once it is complete', () => {
    const matcher = new StopStringMatcher(['\u00e9'], decode);
    assert.deepEqual(firstStop(matcher, [0, 8, 9, 7]), { at: 3, stop: '\u00e9' });
  });

  test('the earliest of several stop strings wins, and nothing fires without one', () => {
    const matcher = new StopStringMatcher(['lo\n', '\n\n'], decode);
    assert.deepEqual(firstStop(matcher, [0, 1, 3]), { at: 3, stop: 'lo\n' });
    assert.equal(firstStop(new StopStringMatcher(['User'], decode), [0, 1, 2, 7]), undefined);
  });

  test('a long completion is checked on a window of its latest tokens only', () => {
    let decoded = 0;
    const counting = (ids: readonly number[]) => ((decoded += ids.length), decode(ids));
    const matcher = new StopStringMatcher(['User:'], counting);
    const ids = Array.from({ length: 2000 }, (_, i) => (i % 2 ? 7 : 6));
    assert.equal(matcher.match(ids), undefined);
    assert.ok(decoded < 60, `decoded ${decoded} tokens`);
  });

  test('an empty stop string is refused; textBeforeStop trims at the first occurrence', () => {
    assert.throws(() => new StopStringMatcher([''], decode), /must not be empty/);
    assert.equal(textBeforeStop('Hello\nUser: x', '\nUser:'), 'Hello');
    assert.equal(textBeforeStop('Hello', '\nUser:'), 'Hello');
  });
});
