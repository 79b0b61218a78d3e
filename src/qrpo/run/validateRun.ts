// The dry validation pass: everything that can be checked without compute, before any expensive stage starts.
// The datasets exist and every row parses (and has what this config needs from it: rewards, reference rewards,
// pairs), and the model folders hold a config.json of an architecture the engine builds. All problems are gathered
// and thrown as one RunConfigError (in file order) naming the config field and its line, then the dataset file and row.
import { existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDatasetPath, promptKey, readDataset, type DatasetSummary, type PointwiseRecord } from '../data';
import { DatasetError, QrpoError } from '../errors';
import { readDecoderConfig, type ModelHead } from '../model';
import { detectRewardModelFormat, type RewardModelFormat } from '../reward/rewardModelFormat';
import type { ConfigDocument, RunConfig } from './config';
import { PAIRWISE_LOSSES } from './config';
import { ConfigProblems } from './config/configProblems';
import { displayPath } from './displayPath';

export interface DatasetCheck {
  field: 'dataset_name' | 'eval_dataset_name';
  path: string;
  rows: number;
  records: number;
  invalidRows: number;
}

export interface ModelCheck {
  field: 'model_name_or_path' | 'ref_model_name_or_path' | 'reward.path';
  path: string;
  /** `Qwen2ForCausalLM`, `onnx` for an ONNX reward model, `module` for a reward function. */
  architecture: string;
}

export interface RunValidation {
  datasets: DatasetCheck[];
  models: ModelCheck[];
}

export interface ValidateRunOptions {
  /** The config file, so problems name a line. */
  document?: Pick<ConfigDocument, 'file' | 'lineOf'>;
  /** Row errors listed per dataset (all are counted). */
  maxErrors?: number;
  signal?: AbortSignal;
}

/** Checks a resolved config against the files it names; throws RunConfigError listing every problem found. */
export async function validateRun(config: RunConfig, options: ValidateRunOptions = {}): Promise<RunValidation> {
  const problems = new ConfigProblems(options.document ?? { file: 'the run config', lineOf: () => undefined });
  const report = (field: string, detail: string) => {
    const path = field.split('.');
    problems.add(path, `${field} in ${problems.where(path)}: ${detail}`);
  };
  const validation: RunValidation = { datasets: [], models: [] };

  const needsPairs = PAIRWISE_LOSSES.includes(config.loss_type) && config.training_data === 'offline';
  const rewardsFromColumn = config.reward.source === 'column' && config.training_data === 'offline';
  const needsRewards = rewardsFromColumn && (config.loss_type === 'qrpo' || config.loss_type === 'rebel');
  const needsRefRewards = rewardsFromColumn && config.loss_type === 'qrpo';
  const requirements: RecordRequirement[] = [];
  if (needsPairs) requirements.push({ field: 'chosen', detail: `loss_type "${config.loss_type}" needs pairs (chosen and rejected), but this row is a single completion`, check: (r) => r.side !== undefined });
  if (needsRewards) requirements.push({ field: 'reward', detail: 'missing reward (reward.source is "column")', check: (r) => r.reward !== undefined });
  if (needsRefRewards) requirements.push({ field: 'ref_rewards', detail: `missing reference rewards (reward.source is "column", so quantiles need ${config.num_ref_rewards} ref_rewards per prompt in the dataset)`, check: (r) => r.refRewards !== undefined && r.refRewards.length > 0 });

  const datasets: [DatasetCheck['field'], string | null][] = [['dataset_name', config.dataset_name], ['eval_dataset_name', config.eval_dataset_name]];
  for (const [field, path] of datasets) {
    if (path === null) continue;
    const outcome = await checkDataset(path, {
      numRef: needsRefRewards && field === 'dataset_name' ? config.num_ref_rewards : undefined,
      requirements: field === 'dataset_name' ? requirements : [],
      maxErrors: options.maxErrors ?? 5,
      signal: options.signal,
    });
    if (typeof outcome === 'string') {
      report(field, outcome);
      continue;
    }
    validation.datasets.push({ field, path, rows: outcome.summary.rows, records: outcome.summary.records, invalidRows: outcome.invalidRows });
    if (outcome.summary.rows === 0) report(field, `${displayPath(path)} has no rows`);
    if (outcome.invalidRows > 0) {
      const listed = outcome.errors.map((message) => `\n  ${message}`).join('');
      const more = outcome.invalidRows > outcome.errors.length ? `\n  … and ${outcome.invalidRows - outcome.errors.length} more` : '';
      report(field, `${outcome.invalidRows} of ${outcome.summary.rows} rows of ${displayPath(path)} are invalid:${listed}${more}`);
    }
    if (field === 'dataset_name') checkHeldOutLeavesTraining(config, outcome.prompts, report);
  }

  await checkModel(config.model_name_or_path, 'model_name_or_path', 'causal-lm', validation, report);
  if (config.ref_model_name_or_path !== config.model_name_or_path) {
    await checkModel(config.ref_model_name_or_path, 'ref_model_name_or_path', 'causal-lm', validation, report);
  }
  if (config.reward.source === 'model' && config.reward.path !== null) await checkRewardModel(config.reward.path, validation, report);
  if (config.reward.source === 'module' && config.reward.path !== null) checkRewardModule(config.reward.path, validation, report);

  problems.throwIfAny();
  return validation;
}

/**
 * Without an eval_dataset_name, evaluation holds eval.num_prompts prompts of dataset_name out of training
 * (trainingStage.ts); a dataset with no more prompts than that would leave nothing to train on.
 */
function checkHeldOutLeavesTraining(config: RunConfig, prompts: number, report: Report): void {
  if (config.eval_dataset_name !== null || config.eval.checkpoints === 'none' || prompts === 0) return;
  if (prompts <= config.eval.num_prompts) {
    report(
      'eval.num_prompts',
      `dataset_name has ${prompts} distinct prompt${prompts === 1 ? '' : 's'} and evaluation holds ${config.eval.num_prompts} out of training, so nothing is left to train on; lower eval.num_prompts, give an eval_dataset_name, or set eval.checkpoints to none`,
    );
  }
}

interface RecordRequirement {
  field: string;
  detail: string;
  check: (record: PointwiseRecord) => boolean;
}

interface DatasetOutcome {
  summary: DatasetSummary;
  invalidRows: number;
  errors: string[];
  /** Distinct prompts among the valid rows. */
  prompts: number;
}

/** Reads every row; a string when the dataset itself cannot be read. */
async function checkDataset(
  path: string,
  options: { numRef?: number; requirements: RecordRequirement[]; maxErrors: number; signal?: AbortSignal },
): Promise<DatasetOutcome | string> {
  if (!existsSync(parseDatasetPath(path).path)) return `dataset not found: ${displayPath(parseDatasetPath(path).path)}`;
  const errors: string[] = [];
  const badRows = new Set<string>();
  const note = (error: DatasetError) => {
    const key = `${error.file}:${error.line}`;
    if (badRows.has(key)) return;
    badRows.add(key);
    if (errors.length < options.maxErrors) errors.push(error.message);
  };
  const rows = readDataset(path, { skipInvalid: true, onInvalid: note, numRef: options.numRef });
  const prompts = new Set<string>();
  try {
    let next = await rows.next();
    let count = 0;
    while (!next.done) {
      const record = next.value;
      prompts.add(promptKey(record.prompt));
      for (const requirement of options.requirements) {
        if (!requirement.check(record)) {
          note(new DatasetError(requirement.detail, record.source.file, record.source.line, requirement.field, { unit: record.source.unit }));
          break;
        }
      }
      if (++count % 4096 === 0) options.signal?.throwIfAborted();
      next = await rows.next();
    }
    return { summary: next.value, invalidRows: badRows.size, errors, prompts: prompts.size };
  } catch (error) {
    if (error instanceof QrpoError) return error.message;
    throw error;
  }
}

type Report = (field: string, detail: string) => void;

async function checkModel(path: string, field: ModelCheck['field'], head: ModelHead, validation: RunValidation, report: Report): Promise<boolean> {
  if (!isDirectory(path)) {
    report(field, `${displayPath(path)} is not a model folder; the engine loads Hugging Face model folders (config.json, *.safetensors, tokenizer files) from disk`);
    return false;
  }
  try {
    const config = await readDecoderConfig(path);
    if (config.head !== head) {
      const wanted = head === 'causal-lm' ? 'a causal language model (*ForCausalLM)' : 'a reward model (*ForSequenceClassification)';
      report(field, `${displayPath(path)} holds a ${config.architecture}, but ${field} needs ${wanted}`);
      return false;
    }
    validation.models.push({ field, path, architecture: config.architecture });
    return true;
  } catch (error) {
    if (!(error instanceof QrpoError)) throw error;
    report(field, error.message);
    return false;
  }
}

/** The reward model as the scoring stage will load it: an ONNX export (either layout) or a safetensors classifier. */
async function checkRewardModel(path: string, validation: RunValidation, report: Report): Promise<void> {
  let format: RewardModelFormat;
  try {
    format = await detectRewardModelFormat(path);
  } catch (error) {
    if (!(error instanceof QrpoError)) throw error;
    report('reward.path', error.message);
    return;
  }
  if (format.kind === 'onnx') validation.models.push({ field: 'reward.path', path, architecture: 'onnx' });
  else await checkModel(path, 'reward.path', 'sequence-classification', validation, report);
}

function checkRewardModule(path: string, validation: RunValidation, report: Report): void {
  if (!existsSync(path) || isDirectory(path)) {
    report('reward.path', `reward module not found: ${displayPath(path)}`);
  } else if (!['.js', '.cjs', '.mjs'].includes(extname(path))) {
    report('reward.path', `${displayPath(path)} is not a JavaScript module (.js, .cjs or .mjs)`);
  } else {
    validation.models.push({ field: 'reward.path', path, architecture: 'module' });
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
