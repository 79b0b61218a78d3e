// `qrpo prepare`: quantile rewards and regression targets for a scored dataset, written atomically as JSONL, with a
// summary in the terminal (or JSON events for the extension with --json).
import { resolve } from 'node:path';
import { QUANTILE_TRANSFORMS, type QuantileTransform } from '../math';
import { writePreparedFile } from '../run/preparedFile';
import type { LogZMode } from '../run/prepareQuantiles';
import { choiceOption, numberOption, parseCommandLine, requireOption } from './arguments';
import { renderHistogram } from './terminalHistogram';
import type { CommandOutput } from './output';
import { ConfigError } from '../errors';

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

const PROGRESS_EVERY = 1000;



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
  let invalid = 0;

  const summary = await writePreparedFile(dataset, out, {
    beta,
    transform,
    numRef,
    logZMode,
    skipInvalid: values['skip-invalid'] === true,
    onInvalid: (error) => {
      invalid++;
      if (json) output.event({ event: 'invalid', message: error.message });
      else if (invalid <= 20) output.warn(`skipped: ${error.message}`);
    },
    onRecord: (records) => {
      if (json && records % PROGRESS_EVERY === 0) output.event({ event: 'progress', records });
    },
  });
  if (json) {
    output.event({ event: 'summary', out, ...summary });
    return 0;
  }
  const { logZ } = summary;
  output.text([
    `prepared ${summary.records} records from ${summary.prompts} prompts → ${out}`,
    `invalid rows skipped: ${summary.invalid}`,
    `transform ${transform}, β = ${beta}, ${logZ === undefined ? 'log Z per prompt (σ_x)' : `log Z (${logZMode}) = ${logZ.toPrecision(10)}, β·log Z = ${(beta * logZ).toPrecision(6)}`}`,
    `mean quantile ${summary.meanQuantile.toFixed(4)}, mean target ${summary.meanTarget.toFixed(4)}`,
    `at initialisation ${(100 * summary.pushedUpShare).toFixed(1)}% of the completions have a positive target and are pushed up`,
    'quantile histogram:',
    ...renderHistogram(summary.histogram),
  ].join('\n'));
  return 0;
}
