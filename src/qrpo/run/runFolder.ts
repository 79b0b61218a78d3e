// The run folder, the source of truth of a run (design.md): the engine writes it, the extension reads it.
//   run.json        the resolved config, the engine version and when the run was created
//   status.json     state, current stage, progress per stage (runStatus.ts)
//   metrics.jsonl   one line per logged step (metricsLog.ts)
//   run.log         human-readable log; stack traces of internal errors
//   run.lock        held by the process writing the folder (runLock.ts)
//   stop.request    written by `qrpo stop` (stopRequest.ts)
//   stages/<name>/  each stage's outputs;  checkpoint-<step>/  weights and trainer state;  evals/<step>/  evaluations
import { existsSync, promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { version as engineVersion } from '../../../package.json';
import { ConfigError } from '../errors';
import { writeFileAtomic } from './atomicFile';
import type { RunConfig } from './config';
import { displayPath } from './displayPath';
import { readMetrics, type MetricsRecord } from './metricsLog';
import { readStatus, type RunStatus } from './runStatus';

export const RUN_FILES = {
  manifest: 'run.json',
  status: 'status.json',
  metrics: 'metrics.jsonl',
  log: 'run.log',
  lock: 'run.lock',
  stopRequest: 'stop.request',
} as const;

/** What run.json holds. */
export interface RunManifest {
  config: RunConfig;
  engineVersion: string;
  createdAt: string;
  /** The config file the run was created from, if any. */
  configFile?: string;
}

export class RunFolder {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /**
   * The run folder of a config (its output_dir), created with run.json. A folder that already holds the same
   * resolved config is reused (a rerun resumes); one that holds a different config is refused.
   */
  static async create(config: RunConfig, options: { configFile?: string } = {}): Promise<RunFolder> {
    const folder = new RunFolder(config.output_dir);
    await fs.mkdir(folder.dir, { recursive: true });
    const existing = await folder.readManifest().catch(() => undefined);
    if (existing !== undefined) {
      const differences = configDifferences(existing.config, config);
      if (differences.length > 0) {
        const shown = displayPath(folder.dir);
        throw new ConfigError(
          `run folder ${shown} already holds a run with a different config (${differences.slice(0, 5).join(', ')}${differences.length > 5 ? ', …' : ''} differ)`,
          `Resume it with 'qrpo resume ${shown}', or give this config another output_dir or run_name`,
        );
      }
      return folder;
    }
    const manifest: RunManifest = {
      config,
      engineVersion,
      createdAt: new Date().toISOString(),
      ...(options.configFile ? { configFile: resolve(options.configFile) } : {}),
    };
    await writeFileAtomic(folder.path(RUN_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    return folder;
  }

  /** An existing run folder; throws a ConfigError when `dir` has no run.json. */
  static async open(dir: string): Promise<RunFolder> {
    const folder = new RunFolder(dir);
    if (!existsSync(folder.path(RUN_FILES.manifest))) {
      throw new ConfigError(`not a run folder: ${displayPath(folder.dir)} has no ${RUN_FILES.manifest}`, "Start a run with 'qrpo run CONFIG'");
    }
    return folder;
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  stageDir(stage: string): string {
    return this.path('stages', stage);
  }

  checkpointDir(step: number): string {
    return this.path(`checkpoint-${step}`);
  }

  evalDir(step: number): string {
    return this.path('evals', String(step));
  }

  async readManifest(): Promise<RunManifest> {
    const file = this.path(RUN_FILES.manifest);
    try {
      return JSON.parse(await fs.readFile(file, 'utf8')) as RunManifest;
    } catch (error) {
      throw new ConfigError(`cannot read ${displayPath(file)} (${(error as Error).message})`);
    }
  }

  async config(): Promise<RunConfig> {
    return (await this.readManifest()).config;
  }

  readStatus(): Promise<RunStatus | undefined> {
    return readStatus(this.path(RUN_FILES.status));
  }

  readMetrics(): Promise<MetricsRecord[]> {
    return readMetrics(this.path(RUN_FILES.metrics));
  }

  /** Steps of the saved checkpoints, ascending; a checkpoint counts once its folder is in place (renamed in whole). */
  async checkpoints(): Promise<number[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    return names.map((name) => /^checkpoint-(\d+)$/.exec(name)?.[1]).filter((step) => step !== undefined).map(Number).sort((a, b) => a - b);
  }

  /** Writes a JSON file inside the folder atomically. */
  async writeJson(relativePath: string, value: unknown): Promise<void> {
    await writeFileAtomic(this.path(relativePath), `${JSON.stringify(value, null, 2)}\n`);
  }
}

/** Dotted paths where two configs differ. */
export function configDifferences(a: unknown, b: unknown, prefix = ''): string[] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((key) => configDifferences(a[key], b[key], prefix ? `${prefix}.${key}` : key));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(root)'];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
