// Typed errors for mistakes a user can fix. The CLI and the extension render `message` (and `hint`) without a
// stack trace; anything that is not a QrpoError is a bug and is reported with its stack.

export class QrpoError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(hint ? `${message}. ${hint}` : message);
    this.name = new.target.name;
  }
}

/** An argument outside a function's domain: β ≤ 0, NaN, an empty reference set, a degenerate transform. */
export class ArgumentError extends QrpoError {}

export interface DatasetErrorOptions {
  /** How the position is named: `line` for JSONL and CSV, `row` for JSON, Parquet and Arrow. */
  unit?: 'line' | 'row';
  /** A parser's own explanation, appended after a colon. */
  reason?: string;
  hint?: string;
}

/** A dataset row or file that cannot be read; names the file, the line or row, and the field. */
export class DatasetError extends QrpoError {
  constructor(
    readonly detail: string,
    readonly file: string,
    readonly line?: number,
    readonly field?: string,
    options: DatasetErrorOptions = {},
  ) {
    super(DatasetError.describe(detail, file, line, field, options), options.hint);
  }

  /** `reward is NaN in data/train.jsonl line 1234 (field "chosen_rewards")`, then `: reason` if a parser gave one. */
  static describe(detail: string, file: string, line?: number, field?: string, options: DatasetErrorOptions = {}): string {
    const where = line === undefined ? file : `${file} ${options.unit ?? 'line'} ${line}`;
    const fieldPart = field === undefined ? '' : ` (field "${field}")`;
    const reasonPart = options.reason === undefined ? '' : `: ${options.reason}`;
    return `${detail} in ${where}${fieldPart}${reasonPart}`;
  }
}

/** A command-line or configuration value that is missing, misspelled or out of range. */
export class ConfigError extends QrpoError {}

/** A model, weights or tokenizer file that is missing, truncated or inconsistent. */
export class ModelFormatError extends QrpoError {}
