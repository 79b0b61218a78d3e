// Killing `qrpo run`/`qrpo resume` with SIGKILL and checking what it left, shared by crashResume.test.ts (a handful
// of kills in CI) and bench/crashSoak.ts (50+ trials). A trial kills a fresh run one or more times at given delays
// after the process starts, resumes until the run is done, and compares the folder with an uninterrupted run's:
// every JSON file parses (after each kill, too), no torn or temporary file sits under a final name, metrics.jsonl
// holds exactly the uninterrupted run's steps with the same values, and the final weights are equal bit for bit.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface CliRun {
  /** Exit code, null when killed. */
  readonly code: number | null;
  readonly killed: boolean;
  readonly events: Record<string, unknown>[];
  readonly stderr: string;
  /** Where the process was when it was killed: a stage name, `startup` (no stage yet) or `after` (run finished). */
  readonly killedIn?: string;
  readonly seconds: number;
}

/** When to SIGKILL: `afterMs` after the spawn, or after the `stage_started` event of `stage` (if it runs). */
export interface Kill {
  readonly afterMs: number;
  readonly stage?: string;
}

/** Runs the CLI with --json; with `kill`, SIGKILLs it at that moment if it is still running. */
export function runCli(cli: string, args: readonly string[], options: { cwd?: string; kill?: Kill } = {}): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [cli, ...args, '--json'], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let killed = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number) => {
    timer ??= setTimeout(() => (killed = child.kill('SIGKILL')), ms);
  };
  const { kill } = options;
  if (kill && kill.stage === undefined) arm(kill.afterMs);
  const startedEvent = kill?.stage === undefined ? undefined : `"event":"stage_started","stage":"${kill.stage}"`;
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    if (startedEvent && stdout.includes(startedEvent)) arm(kill!.afterMs);
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const events = stdout.split('\n').filter((line) => line.startsWith('{')).flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return []; // the line the kill cut short
        }
      });
      resolve({ code, killed, events, stderr, seconds: (Date.now() - started) / 1000, ...(killed ? { killedIn: stageAt(events) } : {}) });
    });
  });
}

function stageAt(events: readonly Record<string, unknown>[]): string {
  let stage = 'startup';
  for (const event of events) {
    if (event.event === 'stage_started') stage = event.stage as string;
    if (event.event === 'stage_finished' && event.stage === stage) stage = `after ${stage}`;
    if (event.event === 'run_finished') stage = 'after';
  }
  return stage;
}

/** Temporary names the engine writes (hidden, renamed into place); one without the leading dot would be a bug. */
const TEMPORARY = /\.tmp$|\.tmp-|\.partial-\d+$|\.replaced-\d+$|\.old-/;

export interface FolderCheck {
  readonly problems: string[];
  /** Hidden temporary files or folders a kill left behind (harmless: never read; removed by later writes of the same target when they clean). */
  readonly leftovers: string[];
}

/**
 * Every file under `runDir` is whole: JSON parses, JSONL lines parse (a torn last line is allowed only while the run
 * is unfinished), safetensors headers and sizes agree, each checkpoint-<step>/ has its files.
 */
export function checkRunFolder(runDir: string, options: { finished: boolean }): FolderCheck {
  const problems: string[] = [];
  const leftovers: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const shown = path.slice(runDir.length + 1);
      if (entry.name.startsWith('.')) {
        leftovers.push(shown);
        continue;
      }
      if (TEMPORARY.test(entry.name)) problems.push(`${shown}: a temporary name without the leading dot`);
      if (entry.isDirectory()) {
        if (/^checkpoint-\d+$/.test(entry.name)) checkCheckpoint(path, shown, problems);
        visit(path);
        continue;
      }
      const problem = fileProblem(path, options.finished);
      if (problem) problems.push(`${shown}: ${problem}`);
    }
  };
  if (existsSync(runDir)) visit(runDir);
  return { problems, leftovers };
}

function checkCheckpoint(path: string, shown: string, problems: string[]): void {
  const files = readdirSync(path);
  for (const needed of ['trainer_state.json', 'optimizer.safetensors']) if (!files.includes(needed)) problems.push(`${shown}: no ${needed}`);
  if (!files.includes('model.safetensors') && !files.includes('adapter_model.safetensors')) problems.push(`${shown}: no weights`);
}

function fileProblem(path: string, finished: boolean): string | undefined {
  if (path.endsWith('.json')) {
    try {
      JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      return `not valid JSON (${(error as Error).message})`;
    }
  } else if (path.endsWith('.jsonl')) {
    const text = readFileSync(path, 'utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    if (finished && complete.length !== text.length) return 'ends in a torn line';
    const bad = complete.split('\n').findIndex((line) => line !== '' && !parses(line));
    if (bad >= 0) return `line ${bad + 1} is not valid JSON`;
  } else if (path.endsWith('.safetensors')) {
    return safetensorsProblem(path);
  }
  return undefined;
}

function parses(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function safetensorsProblem(path: string): string | undefined {
  const bytes = readFileSync(path);
  if (bytes.length < 8) return 'shorter than its header length';
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (8 + headerLength > bytes.length) return 'header runs past the end of the file';
  let header: Record<string, { data_offsets?: [number, number] }>;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  } catch {
    return 'header is not valid JSON';
  }
  const end = Math.max(0, ...Object.values(header).map((t) => t.data_offsets?.[1] ?? 0));
  return 8 + headerLength + end === bytes.length ? undefined : `holds ${bytes.length} bytes, its header describes ${8 + headerLength + end}`;
}

export interface RunResult {
  /** metrics.jsonl lines, parsed. */
  readonly metrics: Record<string, unknown>[];
  readonly finalCheckpoint: string;
  /** The final checkpoint's model weights (or adapter), bytes. */
  readonly weights: Buffer;
}

export function readRunResult(runDir: string): RunResult {
  const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
  const steps = readdirSync(runDir).map((name) => /^checkpoint-(\d+)$/.exec(name)?.[1]).filter((step) => step !== undefined).map(Number);
  const finalCheckpoint = join(runDir, `checkpoint-${Math.max(...steps)}`);
  const file = existsSync(join(finalCheckpoint, 'adapter_model.safetensors')) ? 'adapter_model.safetensors' : 'model.safetensors';
  return { metrics, finalCheckpoint, weights: readFileSync(join(finalCheckpoint, file)) };
}

/** How a resumed run's outcome differs from the uninterrupted one's; empty when it does not. */
export function compareWithBaseline(result: RunResult, baseline: RunResult): string[] {
  const problems: string[] = [];
  const steps = result.metrics.map((m) => m.step as number);
  const expected = baseline.metrics.map((m) => m.step as number);
  const duplicates = steps.filter((step, i) => steps.indexOf(step) !== i);
  if (duplicates.length > 0) problems.push(`metrics.jsonl repeats steps ${[...new Set(duplicates)].join(', ')}`);
  const missing = expected.filter((step) => !steps.includes(step));
  if (missing.length > 0) problems.push(`metrics.jsonl misses steps ${missing.join(', ')}`);
  const extra = steps.filter((step) => !expected.includes(step));
  if (extra.length > 0) problems.push(`metrics.jsonl has steps the uninterrupted run has not: ${extra.join(', ')}`);
  for (const record of result.metrics) {
    const reference = baseline.metrics.find((m) => m.step === record.step);
    if (reference === undefined) continue;
    const differing = Object.keys(reference).filter((key) => key !== 'step' && record[key] !== reference[key]);
    if (differing.length > 0) {
      problems.push(`metrics step ${record.step}: ${differing.slice(0, 3).map((k) => `${k} ${record[k]} ≠ ${reference[k]}`).join(', ')}`);
      break;
    }
  }
  if (basename(result.finalCheckpoint) !== basename(baseline.finalCheckpoint)) {
    problems.push(`final checkpoint ${result.finalCheckpoint} is not the uninterrupted run's ${baseline.finalCheckpoint}`);
  }
  if (!result.weights.equals(baseline.weights)) problems.push('the final weights differ from the uninterrupted run\'s');
  return problems;
}

export interface TrialOutcome {
  readonly problems: string[];
  readonly leftovers: string[];
  /** Where each kill landed. */
  readonly killedIn: string[];
  readonly processes: number;
}

/**
 * Runs the config, SIGKILLing the process at each kill in turn (starting `qrpo resume` once run.json exists,
 * `qrpo run` before), then resumes to the end and compares with the baseline.
 */
export async function crashTrial(cli: string, config: string, runDir: string, kills: readonly Kill[], baseline: RunResult): Promise<TrialOutcome> {
  const problems: string[] = [];
  const killedIn: string[] = [];
  let processes = 0;
  const next = () => (existsSync(join(runDir, 'run.json')) ? ['resume', runDir] : ['run', config]);
  for (const kill of kills) {
    const run = await runCli(cli, next(), { kill });
    processes++;
    if (!run.killed) {
      if (run.code !== 0) problems.push(`${next()[0]} exited ${run.code} before the kill: ${run.stderr.trim().split('\n').pop()}`);
      break;
    }
    killedIn.push(run.killedIn!);
    const check = checkRunFolder(runDir, { finished: false });
    problems.push(...check.problems.map((p) => `after a kill in ${run.killedIn}: ${p}`));
  }
  let final: CliRun | undefined;
  for (let attempt = 0; attempt < 2 && final?.code !== 0; attempt++) {
    final = await runCli(cli, next());
    processes++;
  }
  const finished = final!.events.find((e) => e.event === 'run_finished');
  if (final!.code !== 0 || finished?.state !== 'done') {
    problems.push(`the resume did not complete (exit ${final!.code}, state ${String(finished?.state)}): ${final!.stderr.trim().split('\n').pop() ?? ''}${String(finished?.error ?? '')}`);
    return { problems, leftovers: [], killedIn, processes };
  }
  const check = checkRunFolder(runDir, { finished: true });
  problems.push(...check.problems);
  problems.push(...compareWithBaseline(readRunResult(runDir), baseline));
  return { problems, leftovers: check.leftovers, killedIn, processes };
}
