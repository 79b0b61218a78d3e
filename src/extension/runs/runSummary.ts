// What the Runs view knows about a run without opening it: its status.json, the last line of metrics.jsonl and,
// for a run that claims to be running, whether the process holding run.lock still lives. These are the only reads
// per run at discovery, so the view stays fast with hundreds of runs. The engine writes every file atomically; a
// missing or unreadable file just means "not yet", never an error in the view.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isOwnerAlive, readRunLock } from '../../qrpo/run/runLock';
import type { RunStatus, StageProgress } from '../../qrpo/run/runStatus';
import { readLastMetrics, type MetricsLine } from './metricsTail';
import { RunFile, runName } from './runFiles';

/**
 * The engine's states, plus `crashed`: the status says running but no live process holds the run (SIGKILL, a power
 * cut), and `unknown`: no status.json yet.
 */
export type RunDisplayState = RunStatus['state'] | 'crashed' | 'unknown';

export interface RunSummary {
  /** The run folder: the folder that holds `run.json`. */
  readonly folder: vscode.Uri;
  readonly name: string;
  readonly state: RunDisplayState;
  readonly stage?: string;
  readonly step?: number;
  readonly totalSteps?: number;
  readonly stages: readonly StageProgress[];
  readonly error?: string;
  readonly lastMetrics?: MetricsLine;
}

export async function readRunSummary(folder: vscode.Uri): Promise<RunSummary> {
  const dir = folder.fsPath;
  const [status, lastMetrics] = await Promise.all([readStatus(path.join(dir, RunFile.status)), readLastMetrics(path.join(dir, RunFile.metrics))]);
  const base = { folder, name: runName(folder), stages: [] as StageProgress[], lastMetrics };
  if (!status) return { ...base, state: 'unknown' };
  const running = status.state === 'running' || status.state === 'stopping';
  return {
    ...base,
    state: running && !(await lockOwnerLives(dir)) ? 'crashed' : (status.state as RunStatus['state']),
    stage: status.stage ?? undefined,
    step: finite(status.step),
    totalSteps: finite(status.totalSteps),
    stages: Array.isArray(status.stages) ? status.stages.filter(isStage) : [],
    error: typeof status.error === 'string' ? status.error : undefined,
  };
}

/** A run on another host (a shared folder) cannot be checked and counts as alive, as the engine's lock does. */
async function lockOwnerLives(dir: string): Promise<boolean> {
  try {
    const owner = await readRunLock(dir);
    return owner !== undefined && isOwnerAlive(owner) !== false;
  } catch {
    return false;
  }
}

async function readStatus(file: string): Promise<Partial<RunStatus> | undefined> {
  try {
    const value = JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const status = value as Partial<RunStatus>;
    return typeof status.state === 'string' ? status : undefined;
  } catch {
    return undefined;
  }
}

function isStage(value: unknown): value is StageProgress {
  return typeof value === 'object' && value !== null && typeof (value as StageProgress).name === 'string' && typeof (value as StageProgress).state === 'string';
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
