// What the results panels read from a run folder, and nothing more: run.json's settings, the evaluations under
// evals/<step>/, and where the stage outputs live. The engine owns the folder (src/qrpo/run/runFolder.ts describes
// it); these readers never write, and treat a missing or half-written file as "not there yet". The stage file
// names are repeated here rather than imported because src/qrpo/run/stages pulls in the sampler and onnxruntime,
// which must stay out of dist/extension.js.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EvalSummary } from '../../../qrpo/eval/evaluateCheckpoint';
import { readEvalSummary } from '../../../qrpo/eval/evalFolder';
import { preparedSummaryPath, type PreparedSummary } from '../../../qrpo/run/preparedSummary';
import type { RunHeader } from './commonProtocol';

export const RUN_RESULT_FILES = {
  manifest: 'run.json',
  metrics: 'metrics.jsonl',
  prepared: join('stages', 'quantiles', 'train.prepared.jsonl'),
  scoredReferenceSamples: join('stages', 'reward_scoring', 'reference_samples.jsonl'),
  scoredDataset: join('stages', 'reward_scoring', 'scored.jsonl'),
  evals: 'evals',
  evalSamples: 'samples.jsonl',
} as const;

/** run.json's settings the panels show or compute with; each is undefined when the file does not say. */
export interface RunSettings {
  readonly header: RunHeader;
  readonly numRefRewards?: number;
  readonly referenceSamples?: number;
  readonly logZMode?: 'exact' | 'simplified';
}

export function runFile(folder: vscode.Uri, relative: string): string {
  return join(folder.fsPath, relative);
}

export function evalDir(folder: vscode.Uri, step: number): string {
  return join(folder.fsPath, RUN_RESULT_FILES.evals, String(step));
}

export function evalSamplesFile(folder: vscode.Uri, step: number): string {
  return join(evalDir(folder, step), RUN_RESULT_FILES.evalSamples);
}

export async function readRunSettings(folder: vscode.Uri): Promise<RunSettings> {
  const name = folder.path.split('/').filter(Boolean).pop() ?? folder.path;
  const manifest = await readJson(runFile(folder, RUN_RESULT_FILES.manifest));
  // run.json holds {config, engineVersion, createdAt}; older or hand-made folders put the settings at the top.
  const config = isRecord(manifest?.config) ? manifest.config : (manifest ?? {});
  const sampling = isRecord(config.reference_sampling) ? config.reference_sampling : {};
  return {
    header: {
      run: folder.toString(),
      name: stringOr(config.run_name) ?? name,
      displayPath: vscode.workspace.asRelativePath(folder),
      lossType: stringOr(config.loss_type) ?? stringOr(config.loss),
      beta: numberOr(config.beta),
      transform: stringOr(config.qrpo_transform_type) ?? stringOr(config.transform),
    },
    numRefRewards: numberOr(config.num_ref_rewards),
    referenceSamples: numberOr(sampling.num_samples) ?? numberOr(config.num_ref_rewards),
    logZMode: config.log_z === 'simplified' ? 'simplified' : config.log_z === 'exact' ? 'exact' : undefined,
  };
}

/** The prepared summary of the run's quantiles stage (β, transform, log Z), if the stage has finished. */
export async function readRunPreparedSummary(folder: vscode.Uri): Promise<Partial<PreparedSummary> | undefined> {
  const summary = await readJson(preparedSummaryPath(runFile(folder, RUN_RESULT_FILES.prepared)));
  return summary as Partial<PreparedSummary> | undefined;
}

/** Steps with a complete evaluation (a summary that parses), ascending; step 0 is the model before training. */
export async function evaluatedSteps(folder: vscode.Uri): Promise<number[]> {
  const names = await fs.readdir(join(folder.fsPath, RUN_RESULT_FILES.evals)).catch(() => [] as string[]);
  const steps = names.filter((n) => /^\d+$/.test(n)).map(Number);
  const complete = await Promise.all(steps.map(async (step) => ((await readEvalSummary(evalDir(folder, step))) ? step : undefined)));
  return complete.filter((s): s is number => s !== undefined).sort((a, b) => a - b);
}

export async function readStepSummary(folder: vscode.Uri, step: number): Promise<EvalSummary | undefined> {
  return readEvalSummary(evalDir(folder, step));
}

export async function fileExists(path: string): Promise<boolean> {
  return fs.stat(path).then(
    (stat) => stat.isFile(),
    () => false,
  );
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = JSON.parse(await fs.readFile(path, 'utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
