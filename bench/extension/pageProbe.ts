// Host side of the page probes: when did a row with some text become visible in the side bar? The launcher watches
// the page (a MutationObserver installed before the action, so the answer is the moment the DOM changed, not when
// the log line arrived) and answers through files; both sides use the same wall clock, Date.now().
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeMarker, type ProbeRequest } from './benchConfig';

let nextId = 1;

export interface ArmedProbe {
  /** Epoch ms when the row appeared (waits for it up to the launcher's timeout). */
  collect(): Promise<number>;
}

export async function armRowProbe(outputFolder: string, text: string): Promise<ArmedProbe> {
  const id = nextId++;
  const file = join(outputFolder, `probe-${id}.json`);
  const send = (action: ProbeRequest['action']) => console.log(`${probeMarker} ${JSON.stringify({ id, action, text, file } satisfies ProbeRequest)}`);
  send('arm');
  await until(() => existsSync(`${file}.armed`), 20_000, `the launcher to arm probe ${id}`);
  return {
    async collect() {
      send('collect');
      await until(() => existsSync(file), 40_000, `probe ${id} (${text})`);
      const answer = JSON.parse(readFileSync(file, 'utf8')) as { at?: number; error?: string };
      if (answer.at === undefined) throw new Error(`probe ${id} (${text}): ${answer.error ?? 'no answer'}`);
      return answer.at;
    },
  };
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
