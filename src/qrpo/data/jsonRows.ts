// A .json dataset: an array of rows, an object with a `data` or `rows` array, or columns `{name: [values]}`; read
// whole. `Dataset.to_json` in Hugging Face `datasets` writes JSON Lines under a .json name by default, so a file whose
// first line is a row object on its own is streamed as JSON Lines instead.
import { readFile } from 'node:fs/promises';
import type { SourceRow } from './records';
import { fileLines, jsonlRows } from './jsonlRows';
import { errorReason, fileError } from './rowErrors';

const LAYOUTS = 'expected an array of rows, an object with a "data" or "rows" list, or an object of equal-length columns';

export async function* jsonRows(file: string): AsyncGenerator<SourceRow> {
  if (await isJsonLines(file)) {
    yield* jsonlRows(file);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(stripBom(await readFile(file, 'utf8')));
  } catch (error) {
    throw fileError(`invalid JSON in ${file}: ${errorReason(error)}`, file);
  }
  const rows = rowList(value);
  if (rows !== undefined) {
    for (let i = 0; i < rows.length; i++) yield { location: { file, line: i + 1, unit: 'row' }, row: rows[i] };
    return;
  }
  const columns = columnsOf(value);
  if (columns === undefined) throw fileError(`unrecognised JSON layout in ${file}: ${LAYOUTS}`, file);
  const names = Object.keys(columns);
  const length = columns[names[0]].length;
  for (let i = 0; i < length; i++) {
    const row: Record<string, unknown> = {};
    for (const name of names) row[name] = columns[name][i];
    yield { location: { file, line: i + 1, unit: 'row' }, row };
  }
}

async function isJsonLines(file: string): Promise<boolean> {
  for await (const { text } of fileLines(file)) {
    if (text.trim().length === 0) continue;
    try {
      const first: unknown = JSON.parse(text);
      return isPlainObject(first) && rowList(first) === undefined && columnsOf(first) === undefined;
    } catch {
      return false;
    }
  }
  return false;
}

function rowList(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (!isPlainObject(value)) return undefined;
  for (const key of ['data', 'rows']) {
    const list = value[key];
    if (Array.isArray(list) && list.every(isPlainObject)) return list;
  }
  return undefined;
}

/**
 * Equal-length arrays under every key. A row of conversational data can look like that (`prompt: [message]`), but
 * a column never holds bare message objects: its entries are whole texts or message lists.
 */
function columnsOf(value: unknown): Record<string, unknown[]> | undefined {
  if (!isPlainObject(value)) return undefined;
  const columns = Object.values(value);
  if (columns.length === 0 || !columns.every(Array.isArray)) return undefined;
  const length = (columns[0] as unknown[]).length;
  for (const column of columns as unknown[][]) {
    if (column.length !== length) return undefined;
    if (column.some((entry) => isPlainObject(entry) && 'role' in entry)) return undefined;
  }
  return value as Record<string, unknown[]>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stripBom(text: string): string {
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}
