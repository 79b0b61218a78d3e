// One short key per distinct prompt, to group a prompt's completions and reference rewards. A digest rather than
// the text itself so that sets of keys stay small for datasets far larger than memory.
import { createHash } from 'node:crypto';
import type { Text } from './records';

export function promptKey(prompt: Text): string {
  return createHash('sha1').update(JSON.stringify(prompt)).digest('base64');
}
