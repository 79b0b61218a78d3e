// evals/<step>/ of a run folder: samples.jsonl (one EvalSampleRow per sampled completion) and summary.json
// (EvalSummary), written as one folder that appears whole or not at all (run/atomicDirectory.ts). A folder whose
// summary parses is therefore a complete evaluation; the panels read both files.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { writeDirectoryAtomic } from '../run/atomicDirectory';
import type { CheckpointEvaluation, EvalSampleRow, EvalSummary } from './evaluateCheckpoint';

export const EVAL_FILES = { samples: 'samples.jsonl', summary: 'summary.json' } as const;

export async function writeEvalFolder(dir: string, evaluation: CheckpointEvaluation): Promise<void> {
  await writeDirectoryAtomic(dir, async (folder) => {
    const lines = evaluation.samples.map((row) => `${JSON.stringify(row)}\n`).join('');
    await fs.writeFile(join(folder, EVAL_FILES.samples), lines);
    await fs.writeFile(join(folder, EVAL_FILES.summary), `${JSON.stringify(evaluation.summary, null, 2)}\n`);
  });
}

/** The folder's summary, or undefined when there is no complete evaluation there. */
export async function readEvalSummary(dir: string): Promise<EvalSummary | undefined> {
  try {
    const summary = JSON.parse(await fs.readFile(join(dir, EVAL_FILES.summary), 'utf8')) as EvalSummary;
    return typeof summary === 'object' && summary !== null && typeof summary.splits === 'object' ? summary : undefined;
  } catch {
    return undefined;
  }
}

export async function readEvalSamples(dir: string): Promise<EvalSampleRow[]> {
  const text = await fs.readFile(join(dir, EVAL_FILES.samples), 'utf8');
  return text.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as EvalSampleRow);
}
