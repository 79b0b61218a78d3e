// Reads the columns the Quantile Rewards panel plots from a prepared JSONL (each line: the original record plus
// numeric `quantile`, `transformed_reward` and `target`). Streams line by line so a large file never sits in
// memory as one string; the engine may still be appending, so a last line that does not parse is taken for a
// torn write and ignored, not counted as skipped.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import * as vscode from 'vscode';
import { preparedSummaryPath, type PreparedSummary } from '../../../qrpo/run/preparedSummary';
import type { PreparationInfo } from './protocol';

export interface PreparedRewardsColumns {
  readonly records: number;
  readonly skippedLines: number;
  readonly quantiles: Float64Array;
  readonly targets: Float64Array;
}

export async function readPreparedRewards(file: vscode.Uri): Promise<PreparedRewardsColumns> {
  const columns = new ColumnBuilder();
  if (file.scheme === 'file') {
    const lines = createInterface({ input: createReadStream(file.fsPath, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) columns.addLine(line);
  } else {
    // Virtual file systems have no stream API; such files are small in practice.
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    for (const line of text.split('\n')) columns.addLine(line);
  }
  return columns.finish();
}

/** β, transform and log Z from the summary the engine writes beside a prepared file; undefined if it has none. */
export async function readPreparationSummary(file: vscode.Uri): Promise<PreparationInfo | undefined> {
  const summaryUri = file.with({ path: preparedSummaryPath(file.path) });
  let summary: Partial<PreparedSummary>;
  try {
    summary = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(summaryUri)));
  } catch {
    return undefined;
  }
  if (typeof summary.beta !== 'number' || typeof summary.transform !== 'string') return undefined;
  return {
    beta: summary.beta,
    transform: summary.transform,
    logZ: typeof summary.logZ === 'number' ? summary.logZ : undefined,
    numRef: typeof summary.numRef === 'number' ? summary.numRef : undefined,
  };
}

class ColumnBuilder {
  private quantiles: Float64Array = new Float64Array(1024);
  private targets: Float64Array = new Float64Array(1024);
  private records = 0;
  private skipped = 0;
  /** Whether the most recent non-empty line failed to parse; if it was the last line it is a torn write. */
  private lastLineFailed = false;

  addLine(raw: string): void {
    const line = raw.trim();
    if (!line) return;
    if (this.lastLineFailed) this.skipped++;
    this.lastLineFailed = false;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      this.lastLineFailed = true;
      return;
    }
    const { quantile, target } = (record ?? {}) as { quantile?: unknown; target?: unknown };
    if (typeof quantile !== 'number' || typeof target !== 'number' || !Number.isFinite(quantile) || !Number.isFinite(target)) {
      this.skipped++;
      return;
    }
    this.push(quantile, target);
  }

  finish(): PreparedRewardsColumns {
    return {
      records: this.records,
      skippedLines: this.skipped,
      quantiles: this.quantiles.slice(0, this.records),
      targets: this.targets.slice(0, this.records),
    };
  }

  private push(quantile: number, target: number): void {
    if (this.records === this.quantiles.length) {
      this.quantiles = grow(this.quantiles);
      this.targets = grow(this.targets);
    }
    this.quantiles[this.records] = quantile;
    this.targets[this.records] = target;
    this.records++;
  }
}

function grow(array: Float64Array): Float64Array {
  const bigger = new Float64Array(array.length * 2);
  bigger.set(array);
  return bigger;
}
