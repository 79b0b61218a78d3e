// The webview's copy of each run's metric columns: replaced by a snapshot, extended by appends. An append that
// does not start where the copy ends means a message was lost; the store refuses it and the app asks the host to
// resync, so the charts never show shifted or stale rows.
import type { MetricColumns, RunIdentity, RunSnapshot } from '../../src/extension/panels/trainingCurves/protocol';

export interface RunSeries extends RunIdentity {
  rows: number;
  readonly columns: Map<string, Float64Array>;
}

export class RunSeriesStore {
  private runs: RunSeries[] = [];

  replace(snapshot: readonly RunSnapshot[]): void {
    this.runs = snapshot.map((run) => {
      const series: RunSeries = { id: run.id, name: run.name, displayPath: run.displayPath, rows: 0, columns: new Map() };
      appendColumns(series, run.metrics);
      return series;
    });
  }

  /** False when the rows do not continue the run (or the run is unknown): resync. */
  append(runId: string, start: number, metrics: MetricColumns): boolean {
    const run = this.runs.find((r) => r.id === runId);
    if (!run || run.rows !== start) return false;
    appendColumns(run, metrics);
    return true;
  }

  all(): readonly RunSeries[] {
    return this.runs;
  }

  /** Every metric any run logged, axis columns excluded, sorted. */
  metricNames(): string[] {
    const names = new Set<string>();
    for (const run of this.runs) for (const name of run.columns.keys()) if (name !== 'step' && name !== 'time') names.add(name);
    return [...names].sort();
  }

  hasColumn(name: string): boolean {
    return this.runs.some((run) => run.columns.get(name)?.some(Number.isFinite));
  }

  rowCounts(): Record<string, number> {
    return Object.fromEntries(this.runs.map((run) => [run.id, run.rows]));
  }
}

function appendColumns(run: RunSeries, metrics: MetricColumns): void {
  const rows = run.rows + metrics.rows;
  const names = new Set([...run.columns.keys(), ...metrics.names]);
  for (const name of names) {
    const old = run.columns.get(name);
    const k = metrics.names.indexOf(name);
    if (old && k < 0 && metrics.rows === 0) continue;
    const merged = new Float64Array(rows).fill(NaN);
    if (old) merged.set(old);
    if (k >= 0) merged.set(metrics.columns[k], run.rows);
    run.columns.set(name, merged);
  }
  run.rows = rows;
}
