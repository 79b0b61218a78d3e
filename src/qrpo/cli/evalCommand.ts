// `qrpo eval RUN_DIR --checkpoint STEP`: evaluates one checkpoint of a run folder with the run's own settings
// (run.json) and writes evals/<step>/, as the run's evaluation stage does. It takes no run lock: an evaluation
// folder is written whole or not at all, so a checkpoint can be evaluated while the run goes on training.
import { ConfigError } from '../errors';
import type { EvalSummary } from '../eval/evaluateCheckpoint';
import { runEvalPrompts } from '../eval/evalPrompts';
import type { SplitSummary } from '../eval/evalStatistics';
import { displayPath } from '../run/displayPath';
import { RunFolder } from '../run/runFolder';
import { evaluateRunStep, openEvalRewardSource } from '../run/stages/evaluationStage';
import { resolveExecutionProvider, type ExecutionProvider } from '../runtime';
import { choiceOption, parseCommandLine } from './arguments';
import type { CommandOutput } from './output';
import { renderHistogram } from './terminalHistogram';

export const evalUsage = `qrpo eval RUN_DIR --checkpoint STEP [options]

Evaluates a checkpoint of a run on its held-out prompts, with the run's sampling and reward settings: samples,
rewards, quantiles against the reference samples, KL (k1, k3; per sequence and per token), lengths, the
length-controlled reward and length bias, per split (selection / reporting). Writes RUN_DIR/evals/STEP/
(samples.jsonl, summary.json) and prints the summary.

  --checkpoint STEP   a saved checkpoint's step, 0 for the start model (before training), or 'last'
  --device D          cpu | webgpu | cuda | auto (default: the run's device)
  --json              print one JSON event per line: progress, then the summary`;

const options = {
  checkpoint: { type: 'string' },
  device: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function evalCommand(argv: string[], output: CommandOutput): Promise<number> {
  const { values, positionals } = parseCommandLine('eval', argv, options);
  if (values.help) {
    output.text(evalUsage);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new ConfigError(positionals.length === 0 ? "'qrpo eval' needs a run folder" : `'qrpo eval' takes one run folder, got ${positionals.length}`, `Usage: ${evalUsage.split('\n')[0]}`);
  }
  const folder = await RunFolder.open(positionals[0]);
  const config = await folder.config();
  const step = await checkpointStep(folder, values.checkpoint);
  const device = choiceOption('device', values.device, ['cpu', 'webgpu', 'cuda', 'auto'] as const) ?? config.device;
  const executionProvider: ExecutionProvider = await resolveExecutionProvider(device);
  const prompts = await runEvalPrompts(folder, config);
  const rewardSource = await openEvalRewardSource(config, { trusted: true, executionProvider });
  const json = values.json === true;
  let reported = -1;
  try {
    const { summary } = await evaluateRunStep(folder, config, step, {
      prompts,
      rewardSource,
      executionProvider,
      onProgress: (done, total) => {
        const tenth = Math.floor((10 * done) / total);
        if (!json || tenth === reported) return;
        reported = tenth;
        output.event({ event: 'progress', stage: 'evaluation', done, total });
      },
    });
    const path = folder.evalDir(step);
    if (json) output.event({ event: 'summary', path, ...summary });
    else output.text(renderSummary(summary, path, executionProvider));
    return 0;
  } finally {
    await rewardSource.dispose();
  }
}

async function checkpointStep(folder: RunFolder, value: string | undefined): Promise<number> {
  const saved = await folder.checkpoints();
  const shown = saved.length === 0 ? 'none saved yet' : `saved: ${saved.join(', ')}`;
  if (value === undefined) throw new ConfigError('missing required option --checkpoint', `Give a step (${shown}), 0 for the start model, or 'last'`);
  if (value === 'last') {
    if (saved.length === 0) throw new ConfigError(`${displayPath(folder.dir)} has no checkpoint yet`, 'Evaluate the start model with --checkpoint 0');
    return saved.at(-1)!;
  }
  const step = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(step) || step < 0) throw new ConfigError(`--checkpoint must be a step (an integer ≥ 0) or 'last', got '${value}'`);
  if (step !== 0 && !saved.includes(step)) throw new ConfigError(`${displayPath(folder.dir)} has no checkpoint-${step}`, `Checkpoints ${shown}; 0 evaluates the start model`);
  return step;
}

const fixed = (value: number, digits = 4) => value.toFixed(digits);

/** The summary as a table with one column per split, then the quantile histogram of the reporting split. */
export function renderSummary(summary: EvalSummary, path: string, device: string): string {
  const columns = (['selection', 'reporting', 'all'] as const).filter((split) => summary.splits[split] !== null);
  const cell = (split: (typeof columns)[number], value: (s: SplitSummary) => string) => value(summary.splits[split]!).padStart(12);
  const rows: [string, (s: SplitSummary) => string][] = [
    ['samples (prompts)', (s) => `${s.samples} (${s.prompts})`],
    ['mean reward', (s) => fixed(s.meanReward)],
    ['  reference', (s) => fixed(s.meanRefReward)],
    ['mean quantile', (s) => fixed(s.meanQuantile)],
    ['KL k1 per seq', (s) => fixed(s.kl.k1.perSequence)],
    ['KL k3 per seq', (s) => fixed(s.kl.k3.perSequence)],
    ['KL k1 per token', (s) => fixed(s.kl.k1.perToken, 5)],
    ['KL k3 per token', (s) => fixed(s.kl.k3.perToken, 5)],
    ['mean length', (s) => fixed(s.meanLength, 1)],
    ['  reference', (s) => fixed(s.meanRefLength, 1)],
    ['LC reward', (s) => fixed(s.lcReward.mean)],
    ['length bias ρ', (s) => (s.lengthBias === null ? '—' : fixed(s.lengthBias.spearman, 3))],
    ['length bias slope', (s) => (s.lengthBias === null ? '—' : fixed(s.lengthBias.slope, 3))],
  ];
  const histogramSplit = summary.splits.reporting ?? summary.splits.all!;
  return [
    `evaluated step ${summary.step} (${displayPath(summary.policy)}) on ${summary.prompts} prompts × ${summary.samplesPerPrompt} samples in ${summary.seconds.toFixed(1)} s on ${device} → ${displayPath(path)}`,
    `${''.padEnd(18)}${columns.map((c) => c.padStart(12)).join('')}`,
    ...rows.map(([label, value]) => `${label.padEnd(18)}${columns.map((c) => cell(c, value)).join('')}`),
    `quantile histogram vs the reference (reporting split; uniform under π_ref):`,
    ...renderHistogram(histogramSplit.quantileHistogram),
  ].join('\n');
}
