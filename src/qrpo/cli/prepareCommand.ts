// `qrpo prepare`: quantile rewards and regression targets for a scored dataset, written atomically as JSONL, with a
// summary in the terminal (or JSON events for the extension with --json).
import { resolve } from 'node:path';
import { QUANTILE_TRANSFORMS, logPartition, type QuantileTransform } from '../math';
import { writeFileAtomic, writeLinesAtomic } from '../run/atomicFile';
import { preparedSummaryPath, type PreparedSummary } from '../run/preparedSummary';
import { prepareQuantiles, type LogZMode, type PreparedRecord } from '../run/prepareQuantiles';
import { choiceOption, numberOption, parseCommandLine, requireOption } from './arguments';
import { renderHistogram, unitIntervalBin } from './terminalHistogram';
import type { CommandOutput } from './output';
import { ConfigError } from '../errors';
import { promptKey } from '../data';

export const prepareUsage = `qrpo prepare <dataset> --beta B --transform T --out FILE [options]

Computes each completion's quantile reward against its prompt's reference rewards, the transformed reward f(q)
and the regression target f(q) − β·log Z, and writes them as JSONL.

  <dataset>              JSONL, JSON, CSV, Parquet, or a Hugging Face datasets folder (folder:split for a split)
  --beta B               KL regularisation strength β > 0
  --transform T          ${QUANTILE_TRANSFORMS.join(' | ')}
  --num-ref N            use the first N reference rewards of each prompt (default: all)
  --log-z MODE           exact (default) | simplified (log β + 1/β, the reference code's identity shortcut)
  --out FILE             output JSONL, written atomically
  --skip-invalid         skip and count invalid rows instead of stopping at the first
  --json                 print machine-readable events on stdout`;

const options = {
  beta: { type: 'string' },
  transform: { type: 'string' },
  'num-ref': { type: 'string' },
  'log-z': { type: 'string' },
  out: { type: 'string' },
  'skip-invalid': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HISTOGRAM_BINS = 10;
const PROGRESS_EVERY = 1000;

function outputLine(prepared: PreparedRecord): string {
  const { record } = prepared;
  return `${JSON.stringify({
    ...record.extra,
    prompt: record.prompt,
    completion: record.completion,
    reward: record.reward,
    ref_rewards: prepared.refRewards,
    ...(record.side === undefined ? {} : { side: record.side, pair_id: record.pairId }),
    quantile: prepared.quantile,
    transformed_reward: prepared.transformedReward,
    target: prepared.target,
  })}\n`;
}

interface Tally {
  records: number;
  invalid: number;
  prompts: Set<string>;
  quantileSum: number;
  targetSum: number;
  pushedUp: number;
  histogram: number[];
}

export async function prepareCommand(argv: string[], output: CommandOutput): Promise<number> {
  const { values, positionals } = parseCommandLine('prepare', argv, options);
  if (values.help) {
    output.text(prepareUsage);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new ConfigError(`'qrpo prepare' takes one dataset path, got ${positionals.length}`, `Usage: ${prepareUsage.split('\n')[0]}`);
  }
  const example = 'qrpo prepare data.jsonl --beta 0.1 --transform identity --out prepared.jsonl';
  const beta = requireOption('beta', numberOption('beta', values.beta, 'positive'), example);
  const transform = requireOption('transform', choiceOption<QuantileTransform>('transform', values.transform, QUANTILE_TRANSFORMS), example);
  const numRef = numberOption('num-ref', values['num-ref'], 'positive-integer');
  const logZMode = choiceOption<LogZMode>('log-z', values['log-z'], ['exact', 'simplified']) ?? 'exact';
  const out = resolve(requireOption('out', values.out, example));
  const dataset = positionals[0];
  const json = values.json === true;

  const tally: Tally = { records: 0, invalid: 0, prompts: new Set(), quantileSum: 0, targetSum: 0, pushedUp: 0, histogram: new Array<number>(HISTOGRAM_BINS).fill(0) };
  const records = prepareQuantiles(dataset, {
    beta,
    transform,
    numRef,
    logZMode,
    skipInvalid: values['skip-invalid'] === true,
    onInvalid: (error) => {
      tally.invalid++;
      if (json) output.event({ event: 'invalid', message: error.message });
      else if (tally.invalid <= 20) output.warn(`skipped: ${error.message}`);
    },
  });

  async function* lines(): AsyncGenerator<string> {
    for await (const prepared of records) {
      tally.records++;
      tally.prompts.add(promptKey(prepared.record.prompt));
      tally.quantileSum += prepared.quantile;
      tally.targetSum += prepared.target;
      if (prepared.target > 0) tally.pushedUp++;
      tally.histogram[unitIntervalBin(prepared.quantile, HISTOGRAM_BINS)]++;
      if (json && tally.records % PROGRESS_EVERY === 0) output.event({ event: 'progress', records: tally.records });
      yield outputLine(prepared);
    }
  }
  await writeLinesAtomic(out, lines());

  const logZ = transform === 'scaled-normal-icdf' ? undefined : logPartition(transform, beta, { mode: logZMode });
  const summary: PreparedSummary = {
    dataset: resolve(dataset), records: tally.records, invalid: tally.invalid, prompts: tally.prompts.size, beta, transform, numRef,
    logZMode, logZ, meanQuantile: tally.quantileSum / tally.records, meanTarget: tally.targetSum / tally.records,
    pushedUpShare: tally.pushedUp / tally.records, histogram: tally.histogram,
  };
  await writeFileAtomic(preparedSummaryPath(out), `${JSON.stringify(summary, null, 2)}\n`);
  if (json) {
    output.event({ event: 'summary', out, ...summary });
    return 0;
  }
  output.text([
    `prepared ${tally.records} records from ${tally.prompts.size} prompts → ${out}`,
    `invalid rows skipped: ${tally.invalid}`,
    `transform ${transform}, β = ${beta}, ${logZ === undefined ? 'log Z per prompt (σ_x)' : `log Z (${logZMode}) = ${logZ.toPrecision(10)}, β·log Z = ${(beta * logZ).toPrecision(6)}`}`,
    `mean quantile ${summary.meanQuantile.toFixed(4)}, mean target ${summary.meanTarget.toFixed(4)}`,
    `at initialisation ${tally.pushedUp} of ${tally.records} completions (${((100 * tally.pushedUp) / Math.max(1, tally.records)).toFixed(1)}%) have a positive target and are pushed up`,
    'quantile histogram:',
    ...renderHistogram(tally.histogram),
  ].join('\n'));
  return 0;
}
