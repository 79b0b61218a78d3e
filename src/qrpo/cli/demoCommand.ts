// `qrpo demo [--out DIR] [--quick] [--seed N]`: the README's main command (src/qrpo/demo/runDemo.ts). Makes a tiny
// model from nothing, fine-tunes it on a synthetic task, runs QRPO and DPO from it through the run pipeline, and
// prints and writes the held-out results.
import { ConfigError } from '../errors';
import { runDemo } from '../demo/runDemo';
import { numberOption, parseCommandLine } from './arguments';
import type { CommandOutput } from './output';

export const demoUsage = `qrpo demo [--out DIR] [--quick] [--seed N] [--json]

A synthetic but genuine alignment task on the CPU: prompts such as "list 4 fruits:" and a programmatic reward
(samples/demo/reward.js) that counts relevant distinct items and grows with length; a byte-level BPE tokenizer and
a GPT-2-style model made from random weights and fine-tuned on a noisy corpus (π_ref); then a QRPO run and a DPO
run from it (samples/demo/qrpo.json, dpo.json) through every stage of 'qrpo run'. Prints and writes DIR/summary.json
and DIR/summary.md: held-out mean reward and mean quantile against π_ref before and after, KL, and length-bias ρ.

  --out DIR   output folder (default demo-runs); the demo's own subfolders in it are recreated
  --quick     a scaled-down demo (well under a minute), as the unit test runs it
  --seed N    seed of the task, the model and the runs (default 42)
  --json      print events as one JSON object per line on stdout (the runs' events, the SFT's as stage "sft", then
              a "summary" event with summary.json's path); text for people goes to stderr

SIGTERM or Ctrl-C stops the demo between steps; a run it stopped finishes with 'qrpo resume'.`;

const options = {
  out: { type: 'string' },
  quick: { type: 'boolean' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function demoCommand(argv: string[], output: CommandOutput): Promise<number> {
  const { values, positionals } = parseCommandLine('demo', argv, options);
  if (values.help) {
    output.text(demoUsage);
    return 0;
  }
  if (positionals.length > 0) throw new ConfigError(`'qrpo demo' takes no arguments, got ${positionals.join(' ')}`, `Usage: ${demoUsage.split('\n')[0]}`);
  const seed = values.seed === '0' ? 0 : numberOption('seed', values.seed, 'positive-integer');
  const json = values.json === true;
  // A first SIGTERM/SIGINT stops between steps; a second one exits at once.
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => (stop.signal.aborted ? process.exit(signal === 'SIGINT' ? 130 : 143) : stop.abort());
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await runDemo({
      out: values.out,
      quick: values.quick === true,
      seed,
      signal: stop.signal,
      ...(json ? { terminal: process.stderr, onEvent: (event) => output.event(event) } : {}),
    });
  } finally {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  }
  return 0;
}
