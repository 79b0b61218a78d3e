// Programmatic rewards: a JavaScript module in the workspace (.js, .cjs or .mjs) exporting
// `reward(prompt, completion)` (sync or async, a number) or `rewards(batch)` (a number per {prompt, completion}),
// for rewards such as unit-test pass rates. Loading a module runs its code, so it happens only when the caller says
// the workspace is trusted (design.md: in an untrusted workspace nothing executes).
import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors';
import { displayPath } from '../run/displayPath';
import { describeItem, requireFiniteRewards, RewardError, type RewardItem, type RewardSource } from './rewardSource';

export const REWARD_MODULE_EXTENSIONS = ['.js', '.cjs', '.mjs'];

type RewardFunction = (prompt: unknown, completion: unknown) => unknown;
type RewardsFunction = (batch: { prompt: unknown; completion: unknown }[]) => unknown;

export interface RewardModuleOptions {
  /** The workspace is trusted to run its own code; without it the module is refused, not loaded. */
  readonly trusted: boolean;
}

export async function loadModuleRewardSource(path: string, options: RewardModuleOptions): Promise<RewardSource> {
  const file = resolve(path);
  const shown = displayPath(file);
  if (!options.trusted) {
    throw new ConfigError(
      `the reward module ${shown} was not loaded: running workspace code needs a trusted workspace`,
      'Trust the workspace (Workspaces: Manage Workspace Trust) or use a reward model (reward.source: model)',
    );
  }
  if (!existsSync(file) || statSync(file).isDirectory()) throw new ConfigError(`reward module not found: ${shown}`);
  if (!REWARD_MODULE_EXTENSIONS.includes(extname(file))) throw new ConfigError(`${shown} is not a JavaScript module (${REWARD_MODULE_EXTENSIONS.join(', ')})`);
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`the reward module ${shown} failed to load: ${(error as Error)?.message ?? String(error)}`);
  }
  const { reward, rewards } = exportedFunctions(loaded);
  if (reward === undefined && rewards === undefined) {
    const names = Object.keys(loaded).filter((name) => name !== 'default');
    throw new ConfigError(
      `the reward module ${shown} exports neither reward(prompt, completion) nor rewards(batch)`,
      `It exports ${names.length ? names.join(', ') : 'nothing by name'}; add e.g. \`export function reward(prompt, completion) { return completion.length / 100; }\``,
    );
  }
  const description = `reward module ${shown}`;
  return {
    kind: 'module',
    description,
    async score(items: readonly RewardItem[]): Promise<number[]> {
      if (rewards !== undefined) {
        const values = await call(() => rewards(items.map(({ prompt, completion }) => ({ prompt: copy(prompt), completion: copy(completion) }))), `rewards() on a batch of ${items.length}`);
        if (!Array.isArray(values) || values.length !== items.length) {
          throw new RewardError(`${description}: rewards(batch) returned ${Array.isArray(values) ? `${values.length} values` : typeof values} for a batch of ${items.length}; it must return one number per item`);
        }
        return requireFiniteRewards(values, items, description);
      }
      const values: unknown[] = [];
      for (const [index, item] of items.entries()) {
        values.push(await call(() => reward!(copy(item.prompt), copy(item.completion)), `reward() on ${describeItem(items, index)}`));
      }
      return requireFiniteRewards(values, items, description);
    },
    dispose: async () => undefined,
  };

  async function call(run: () => unknown, what: string): Promise<unknown> {
    try {
      return await run();
    } catch (error) {
      throw new RewardError(`${description} threw in ${what}: ${(error as Error)?.message ?? String(error)}`);
    }
  }
}

/** Named exports first, then those of a CommonJS module.exports or an ES default export object; a default function is `reward`. */
function exportedFunctions(loaded: Record<string, unknown>): { reward?: RewardFunction; rewards?: RewardsFunction } {
  const fallback = loaded.default;
  const scopes = [loaded, ...(typeof fallback === 'object' && fallback !== null ? [fallback as Record<string, unknown>] : [])];
  const find = (name: string) => scopes.map((scope) => scope[name]).find((value) => typeof value === 'function');
  const reward = (find('reward') ?? (typeof fallback === 'function' ? fallback : undefined)) as RewardFunction | undefined;
  return { reward, rewards: find('rewards') as RewardsFunction | undefined };
}

/** The module gets its own copy of a conversation, so it cannot change the records being scored. */
function copy<T>(text: T): T {
  return typeof text === 'string' ? text : structuredClone(text);
}
