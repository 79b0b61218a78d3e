// What the comparison table reads from each run folder (run.json flattened, the latest evaluation's headline),
// kept between rebuilds. The table is rebuilt every second while a compared run logs metrics, and only that run's
// metrics changed, so a run's files are read again only when a stat says they changed: run.json's modification
// time and size, and those of evals/ (the engine renames each evaluation folder into place whole, replacing an
// earlier one the same way, and that changes evals/ itself).
import * as vscode from 'vscode';
import { readLatestEvalHeadline, type EvalHeadline } from '../shared/latestEvalSummary';
import { readFlatRunConfig, type FlatConfig } from '../shared/runConfigReader';

/** Runs remembered at most (a few kilobytes each); past that the cache starts afresh. */
const maxRuns = 500;

interface Cached<T> {
  readonly stamp: string;
  readonly value: Promise<T>;
}

export class ComparedRunFiles {
  private readonly configs = new Map<string, Cached<FlatConfig>>();
  private readonly evals = new Map<string, Cached<EvalHeadline | undefined>>();

  config(folder: vscode.Uri): Promise<FlatConfig> {
    const runJson = vscode.Uri.joinPath(folder, 'run.json');
    return cached(this.configs, folder, () => stampOf(runJson), () => readFlatRunConfig(folder));
  }

  latestEval(folder: vscode.Uri): Promise<EvalHeadline | undefined> {
    const evals = vscode.Uri.joinPath(folder, 'evals');
    return cached(this.evals, folder, () => stampOf(evals), () => readLatestEvalHeadline(folder));
  }
}

async function cached<T>(cache: Map<string, Cached<T>>, folder: vscode.Uri, stamp: () => Promise<string>, read: () => Promise<T>): Promise<T> {
  const key = folder.toString();
  // Stamped before the read: a change during the read is seen by the next rebuild.
  const now = await stamp();
  const hit = cache.get(key);
  if (hit?.stamp === now) return hit.value;
  const value = read();
  if (!hit && cache.size >= maxRuns) cache.clear();
  cache.set(key, { stamp: now, value });
  return value;
}

/** Modification time and size of a file or folder; "-" when it is not there. */
function stampOf(uri: vscode.Uri): Promise<string> {
  return Promise.resolve(vscode.workspace.fs.stat(uri)).then(
    (stat) => `${stat.mtime}:${stat.size}`,
    () => '-',
  );
}
