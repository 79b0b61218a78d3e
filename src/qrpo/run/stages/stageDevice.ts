// The execution provider and thread count a stage's sessions use, from the config's device and threads.
import { resolveExecutionProvider, type ExecutionProvider } from '../../runtime';
import type { RunConfig } from '../config';

export interface StageDevice {
  readonly executionProvider: ExecutionProvider;
  /** undefined lets the session choose (config threads: 0). */
  readonly threads: number | undefined;
}

export async function stageDevice(config: Pick<RunConfig, 'device' | 'threads'>): Promise<StageDevice> {
  return { executionProvider: await resolveExecutionProvider(config.device), threads: config.threads > 0 ? config.threads : undefined };
}
