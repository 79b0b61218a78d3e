// The numbers of a run's latest evaluation (evals/<step>/summary.json with the highest step), from the reporting
// split when there is one (the selection split is for picking checkpoints, so reporting is the honest number),
// else from all prompts. Reads the file directly: the engine's eval module pulls in the model runtime.
import * as vscode from 'vscode';
import type { EvalSummary } from '../../../qrpo/eval/evaluateCheckpoint';
import type { SplitSummary } from '../../../qrpo/eval/evalStatistics';

export interface EvalHeadline {
  readonly step: number;
  readonly split: 'reporting' | 'all';
  readonly meanReward: number;
  readonly meanRefReward: number;
  readonly meanQuantile: number;
  readonly klK3: number;
  readonly lcReward: number;
  readonly lengthBiasRho: number | undefined;
  readonly meanLength: number;
}

export async function readLatestEvalHeadline(folder: vscode.Uri): Promise<EvalHeadline | undefined> {
  const evals = vscode.Uri.joinPath(folder, 'evals');
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(evals);
  } catch {
    return undefined;
  }
  const steps = entries
    .filter(([name, type]) => type === vscode.FileType.Directory && /^\d+$/.test(name))
    .map(([name]) => Number(name))
    .sort((a, b) => b - a);
  for (const step of steps) {
    const summary = await readSummary(vscode.Uri.joinPath(evals, String(step), 'summary.json'));
    const split = summary?.splits.reporting ? 'reporting' : 'all';
    const numbers = summary?.splits[split];
    if (numbers) return headline(step, split, numbers);
  }
  return undefined;
}

async function readSummary(uri: vscode.Uri): Promise<EvalSummary | undefined> {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))) as EvalSummary;
    return typeof parsed === 'object' && parsed !== null && typeof parsed.splits === 'object' && parsed.splits !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function headline(step: number, split: 'reporting' | 'all', s: SplitSummary): EvalHeadline {
  return {
    step,
    split,
    meanReward: s.meanReward,
    meanRefReward: s.meanRefReward,
    meanQuantile: s.meanQuantile,
    klK3: s.kl?.k3?.perSequence,
    lcReward: s.lcReward?.mean,
    lengthBiasRho: s.lengthBias?.spearman,
    meanLength: s.meanLength,
  };
}
