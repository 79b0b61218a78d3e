// What a run shows when it is expanded: its checkpoints and evaluations with their headline numbers, and its config
// for the tooltip. Read lazily (only for runs someone opens or hovers) and cached by RunsModel until a watcher says
// the folder changed.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { EvalSummary } from '../../qrpo/eval/evaluateCheckpoint';
import { RunFile } from './runFiles';

export interface EvaluationSummary {
  readonly step: number;
  /** Over all eval prompts (both splits). */
  readonly meanQuantile?: number;
  readonly meanReward?: number;
  readonly klPerSequence?: number;
  readonly meanLength?: number;
}

export interface RunDetails {
  /** Steps of the saved checkpoints, ascending. */
  readonly checkpoints: readonly number[];
  /** Complete evaluations (evals/<step>/summary.json parses), by step, ascending; step 0 is the start model. */
  readonly evaluations: readonly EvaluationSummary[];
}

export async function readRunDetails(folder: vscode.Uri): Promise<RunDetails> {
  const dir = folder.fsPath;
  const [entries, evalEntries] = await Promise.all([readdir(dir), readdir(path.join(dir, RunFile.evals))]);
  const checkpoints = stepsOf(entries, /^checkpoint-(\d+)$/);
  const evaluations = await Promise.all(stepsOf(evalEntries, /^(\d+)$/).map((step) => readEvaluation(path.join(dir, RunFile.evals, String(step)), step)));
  return { checkpoints, evaluations: evaluations.filter((e): e is EvaluationSummary => e !== undefined) };
}

async function readEvaluation(dir: string, step: number): Promise<EvaluationSummary | undefined> {
  let summary: Partial<EvalSummary>;
  try {
    summary = JSON.parse(await fs.readFile(path.join(dir, RunFile.evalSummary), 'utf8')) as Partial<EvalSummary>;
  } catch {
    return undefined;
  }
  const all = summary?.splits?.all ?? summary?.splits?.reporting ?? summary?.splits?.selection;
  if (!all) return { step };
  return { step, meanQuantile: all.meanQuantile, meanReward: all.meanReward, klPerSequence: all.kl?.k3?.perSequence, meanLength: all.meanLength };
}

/** The few config fields the tooltip shows, from run.json's resolved config. */
export interface RunConfigSummary {
  readonly lossType?: string;
  readonly beta?: number;
  readonly transform?: string;
  readonly model?: string;
  readonly dataset?: string;
  readonly rewardSource?: string;
  readonly configFile?: string;
  readonly createdAt?: string;
}

export async function readRunConfigSummary(folder: vscode.Uri): Promise<RunConfigSummary> {
  try {
    const manifest = JSON.parse(await fs.readFile(path.join(folder.fsPath, RunFile.manifest), 'utf8')) as Record<string, unknown>;
    const config = (typeof manifest.config === 'object' && manifest.config !== null ? manifest.config : manifest) as Record<string, unknown>;
    const reward = config.reward as Record<string, unknown> | undefined;
    return {
      lossType: str(config.loss_type),
      beta: typeof config.beta === 'number' ? config.beta : undefined,
      transform: str(config.qrpo_transform_type),
      model: str(config.model_name_or_path),
      dataset: str(config.dataset_name),
      rewardSource: str(reward?.source),
      configFile: str(manifest.configFile),
      createdAt: str(manifest.createdAt),
    };
  } catch {
    return {};
  }
}

async function readdir(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

function stepsOf(names: readonly string[], pattern: RegExp): number[] {
  return names.map((name) => pattern.exec(name)?.[1]).filter((step): step is string => step !== undefined).map(Number).sort((a, b) => a - b);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
