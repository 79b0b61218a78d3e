// Shared by the run tests: scratch folders and a resolved config whose run folder lives in one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfigDocument, resolveRunConfig, type RunConfig } from '../../../src/qrpo/run/config';

export const repositoryRoot = resolve(__dirname, '../../../..');
export const samplePairs = join(repositoryRoot, 'samples/helpfulness-pairs.jsonl');

export function scratch(prefix = 'qrpo-run-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A resolved config in `dir` (config file dir/run.yaml, run folder dir/runs/run), with extra YAML lines. */
export function configIn(dir: string, extra = ''): RunConfig {
  const text = `model_name_or_path: models/tiny\ndataset_name: ${samplePairs}\nnum_ref_rewards: 8\n${extra}`;
  return resolveRunConfig(parseConfigDocument(text, join(dir, 'run.yaml')));
}
