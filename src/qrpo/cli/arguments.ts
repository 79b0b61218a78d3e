// Command-line option parsing on top of node:util's parseArgs, turning its errors into ConfigErrors that name the
// option and suggest the closest valid spelling.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../errors';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}

/** The candidate closest to `word`, if it is close enough to be a plausible typo. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * parseArgs reads `--beta -1` as a missing value; a negative number after a string option is its value, so that
 * the range check can name the real problem.
 */
function attachNegativeNumbers(argv: string[], options: OptionSpec): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    const next = argv[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d|^-\.\d|^-Infinity$/.test(next)) {
      joined.push(`${argv[i]}=${next}`);
      i++;
    } else {
      joined.push(argv[i]);
    }
  }
  return joined;
}

export function parseCommandLine<T extends OptionSpec>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: attachNegativeNumbers(argv, options), options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message);
    if (unknown) {
      const known = Object.keys(options).map((name) => `--${name}`);
      const suggestion = closestMatch(unknown[1], known);
      throw new ConfigError(
        `unknown option ${unknown[1]} for 'qrpo ${command}'`,
        suggestion ? `Did you mean ${suggestion}?` : `Valid options: ${known.join(', ')}`,
      );
    }
    throw new ConfigError(`${message.replace(/\.$/, '')} (qrpo ${command})`);
  }
}

/** A required finite number option, e.g. `--beta 0.1`. */
export function numberOption(name: string, value: string | undefined, constraint: 'positive' | 'positive-integer'): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  const valid = constraint === 'positive-integer' ? Number.isInteger(parsed) && parsed > 0 : Number.isFinite(parsed) && parsed > 0;
  if (value.trim() === '' || !valid) {
    const expected = constraint === 'positive-integer' ? 'a positive integer' : 'a positive number';
    throw new ConfigError(`--${name} must be ${expected}, got '${value}'`);
  }
  return parsed;
}

/** One of a fixed set of words, with a suggestion for a near miss. */
export function choiceOption<T extends string>(name: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if ((choices as readonly string[]).includes(value)) return value as T;
  const suggestion = closestMatch(value, choices);
  throw new ConfigError(
    `--${name} must be one of ${choices.join(', ')}, got '${value}'`,
    suggestion ? `Did you mean '${suggestion}'?` : undefined,
  );
}

export function requireOption<T>(name: string, value: T | undefined, example: string): T {
  if (value === undefined) throw new ConfigError(`missing required option --${name}`, `For example: ${example}`);
  return value;
}
