// How a config mistake is worded: `<field> in <file> line <n> must be …, got …`, with a "did you mean" where a
// close spelling exists. All problems of a file are gathered and thrown as one ConfigError, one per line, so a user
// fixes them in one pass.
import { closestMatch } from '../../cli/arguments';
import { ConfigError } from '../../errors';
import type { ConfigDocument } from './configDocument';

export interface ConfigProblem {
  /** Where the problem is, as a field path; used for its line and for ordering. */
  readonly path: readonly string[];
  readonly message: string;
}

export class ConfigProblems {
  readonly list: ConfigProblem[] = [];

  constructor(readonly document: Pick<ConfigDocument, 'file' | 'lineOf'>) {}

  /** `runs/a.yaml line 3`, or just the file when the field was not written (a default). */
  where(path: readonly string[]): string {
    const line = this.document.lineOf(path);
    return line === undefined ? this.document.file : `${this.document.file} line ${line}`;
  }

  /** `beta in runs/a.yaml line 2 must be …`. */
  field(path: readonly string[], text: string, hint?: string): void {
    this.add(path, `${dotted(path)} in ${this.where(path)} ${text}`, hint);
  }

  unknownField(path: readonly string[], known: readonly string[]): void {
    const parent = path.slice(0, -1);
    const name = path[path.length - 1];
    const suggestion = closestMatch(name, known);
    const hint = suggestion !== undefined
      ? `Did you mean "${dotted([...parent, suggestion])}"?`
      : known.length <= 12
        ? `Valid fields${parent.length ? ` of ${dotted(parent)}` : ''}: ${known.join(', ')}`
        : 'See schemas/run-config.schema.json for every field';
    this.add(path, `unknown field "${dotted(path)}" in ${this.where(path)}`, hint);
  }

  add(path: readonly string[], message: string, hint?: string): void {
    const text = hint ? `${message}. ${hint}` : message;
    if (!this.list.some((problem) => problem.message === text)) this.list.push({ path, message: text });
  }

  /** Throws every problem found so far as one ConfigError, in the order they appear in the file. */
  throwIfAny(): void {
    if (this.list.length === 0) return;
    const line = (problem: ConfigProblem) => this.document.lineOf(problem.path) ?? Number.MAX_SAFE_INTEGER;
    const sorted = [...this.list].sort((a, b) => line(a) - line(b));
    throw new RunConfigError(sorted);
  }
}

/** A config with one or more mistakes; `problems` has them one by one (the extension marks each line). */
export class RunConfigError extends ConfigError {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map((problem) => problem.message).join('\n'));
  }
}

export function dotted(path: readonly string[]): string {
  return path.reduce((text, part) => (/^\d+$/.test(part) ? `${text}[${part}]` : text ? `${text}.${part}` : part), '');
}

/** A value as a message shows it: `"0.1" (a string)`, `2.5`, `a list`. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return `${JSON.stringify(value)} (a string)`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
