// Each stage's completion marker: summary.json in its folder, written atomically after its outputs are whole, so
// its presence means the stage is done (a stage is complete when its outputs and this summary exist).
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomicFile';

export const STAGE_SUMMARY = 'summary.json';

export async function writeStageSummary(stageDir: string, summary: Record<string, unknown>): Promise<void> {
  await writeFileAtomic(join(stageDir, STAGE_SUMMARY), `${JSON.stringify({ ...summary, completedAt: new Date().toISOString() }, null, 2)}\n`);
}

export async function readStageSummary<T extends object = Record<string, unknown>>(stageDir: string): Promise<T | undefined> {
  try {
    const value = JSON.parse(await fs.readFile(join(stageDir, STAGE_SUMMARY), 'utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/** Complete when the summary and every named output exist. */
export async function stageOutputsComplete(stageDir: string, outputs: readonly string[]): Promise<boolean> {
  return outputs.every((name) => existsSync(join(stageDir, name))) && (await readStageSummary(stageDir)) !== undefined;
}
