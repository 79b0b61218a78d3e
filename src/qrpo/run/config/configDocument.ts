// A run config file parsed into a plain value plus a way back to where each field was written, so that errors say
// `runs/a.yaml line 3`. YAML files are read with the `yaml` package (YAML 1.2, so `1e-6` is a number); JSON files
// are parsed by JSON.parse (strict JSON) and, since JSON is YAML 1.2, parsed again by `yaml` only for positions.
import { promises as fs } from 'node:fs';
import { extname } from 'node:path';
import { LineCounter, isMap, parseDocument, type Document } from 'yaml';
import { ConfigError } from '../../errors';

export type ConfigFormat = 'json' | 'yaml';

export interface ConfigDocument {
  /** The file as the user named it, for messages. */
  readonly file: string;
  readonly format: ConfigFormat;
  readonly value: unknown;
  /** 1-based line of the field at `path` (of its key when it has one), if known. */
  lineOf(path: readonly string[]): number | undefined;
}

const FORMATS: Record<string, ConfigFormat> = { '.json': 'json', '.yaml': 'yaml', '.yml': 'yaml' };

export function configFormatOf(file: string): ConfigFormat {
  const format = FORMATS[extname(file).toLowerCase()];
  if (format === undefined) {
    throw new ConfigError(`cannot tell the format of run config ${file}`, 'Name it *.json, *.yaml or *.yml');
  }
  return format;
}

export async function readConfigDocument(file: string): Promise<ConfigDocument> {
  const format = configFormatOf(file);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? `run config not found: ${file}` : `cannot read run config ${file} (${code ?? (error as Error).message})`);
  }
  return parseConfigDocument(text, file, format);
}

export function parseConfigDocument(text: string, file: string, format: ConfigFormat = configFormatOf(file)): ConfigDocument {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  let value: unknown;
  if (format === 'json') {
    value = parseJson(text, file, lineAt);
    // JSON.parse keeps the last of two equal keys silently; a config that says beta twice is a mistake.
    const duplicate = document.errors.find((error) => error.code === 'DUPLICATE_KEY');
    if (duplicate) throw duplicateField(text, duplicate.pos[0], file, lineAt);
  } else {
    const [error] = document.errors;
    if (error?.code === 'DUPLICATE_KEY') throw duplicateField(text, error.pos[0], file, lineAt);
    if (error) throw new ConfigError(`${file} line ${lineAt(error.pos[0])}: not valid YAML: ${firstLine(error.message)}`);
    value = document.toJS();
  }
  if (value === null || value === undefined) throw new ConfigError(`run config ${file} is empty`, 'It needs at least model_name_or_path and dataset_name');
  return { file, format, value, lineOf: (path) => lineOfPath(document, path, lineAt) };
}

function parseJson(text: string, file: string, lineAt: (offset: number) => number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    // V8 names the character offset ("at position 42"); turn it into the line an editor shows.
    const position = /position (\d+)/.exec(message);
    const where = position ? ` line ${lineAt(Number(position[1]))}` : '';
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '').replace(/, ".*$/s, '');
    throw new ConfigError(`${file}${where}: not valid JSON: ${reason}`);
  }
}

function lineOfPath(document: Document, path: readonly string[], lineAt: (offset: number) => number): number | undefined {
  let node: unknown = document.contents;
  let line: number | undefined;
  for (const name of path) {
    if (!isMap(node)) return line;
    const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === name);
    if (pair === undefined) return line;
    const range = (pair.key as { range?: [number, number, number] } | null)?.range;
    if (range) line = lineAt(range[0]);
    node = pair.value;
  }
  return line;
}

function duplicateField(text: string, offset: number, file: string, lineAt: (offset: number) => number): ConfigError {
  const key = /^"([^"]*)"|^'([^']*)'|^([^:\s,}]+)/.exec(text.slice(offset));
  const name = key?.[1] ?? key?.[2] ?? key?.[3];
  return new ConfigError(`duplicate field${name ? ` "${name}"` : ''} in ${file} line ${lineAt(offset)}`, 'Each field may appear once');
}

function firstLine(text: string): string {
  return text.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
