// Which reader a dataset path needs, and which files it stands for. A path is a file (format from its extension) or
// a Hugging Face `datasets` folder written by save_to_disk: a Dataset (state.json lists its Arrow files) or a
// DatasetDict (dataset_dict.json lists the splits, one sub-folder each; `folder:split` picks one, default train).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { DatasetFormat } from './records';
import { errorReason, fileError } from './rowErrors';

const EXTENSIONS: Record<string, DatasetFormat> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'json',
  '.csv': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.arrow': 'arrow',
  '.arrows': 'arrow',
  '.ipc': 'arrow',
  '.feather': 'arrow',
};

const KNOWN_FORMATS = 'expected .jsonl, .json, .csv, .parquet, .arrow or a Hugging Face datasets folder';

/** A dataset path split into the file or folder and the DatasetDict split named after a colon, if any. */
export function parseDatasetPath(path: string): { path: string; split?: string } {
  if (existsSync(path)) return { path };
  const match = /^(.+):([^:/\\]+)$/.exec(path);
  if (match && isDirectory(match[1])) return { path: match[1], split: match[2] };
  return { path };
}

/** The format of a dataset path (`folder:split` allowed). Throws a DatasetError for a missing or unknown one. */
export function detectFormat(path: string): DatasetFormat {
  const parsed = parseDatasetPath(path);
  if (!existsSync(parsed.path)) throw fileError(`dataset not found: ${parsed.path}`, parsed.path);
  if (isDirectory(parsed.path)) {
    if (['dataset_dict.json', 'state.json'].some((name) => existsSync(join(parsed.path, name)))) return 'arrow';
    throw fileError(`not a Hugging Face datasets folder: ${parsed.path} has neither dataset_dict.json nor state.json`, parsed.path);
  }
  const format = EXTENSIONS[extname(parsed.path).toLowerCase()];
  if (format === undefined) throw fileError(`unknown dataset format of ${parsed.path}: ${KNOWN_FORMATS}`, parsed.path);
  return format;
}

export interface DatasetFiles {
  format: DatasetFormat;
  /** The files to read, in order: one, or the Arrow shards of a datasets folder. */
  files: string[];
}

/** The format and the files behind a dataset path; `format` overrides the extension for a plain file. */
export function datasetFiles(path: string, options: { format?: DatasetFormat; split?: string } = {}): DatasetFiles {
  const parsed = parseDatasetPath(path);
  const format = options.format ?? detectFormat(path);
  if (!existsSync(parsed.path)) throw fileError(`dataset not found: ${parsed.path}`, parsed.path);
  const split = options.split ?? parsed.split;
  if (!isDirectory(parsed.path)) {
    if (split !== undefined) throw fileError(`a split ("${split}") can only be chosen in a Hugging Face DatasetDict folder, not in ${parsed.path}`, parsed.path);
    return { format, files: [parsed.path] };
  }
  if (format !== 'arrow') throw fileError(`${parsed.path} is a folder; only a Hugging Face datasets folder can be read as one`, parsed.path);
  return { format, files: arrowShards(parsed.path, split) };
}

function arrowShards(folder: string, split: string | undefined): string[] {
  const dictFile = join(folder, 'dataset_dict.json');
  if (existsSync(dictFile)) {
    const splits = jsonProperty(dictFile, 'splits');
    if (!Array.isArray(splits) || !splits.every((s) => typeof s === 'string')) {
      throw fileError(`invalid dataset_dict.json in ${folder}: "splits" is not a list of names`, dictFile);
    }
    const chosen = split ?? (splits.includes('train') || splits.length !== 1 ? 'train' : splits[0]);
    if (!splits.includes(chosen)) {
      throw fileError(
        `no split "${chosen}" in ${folder}: its splits are ${splits.join(', ')}`,
        folder,
        `Name one as ${folder}:${splits[0] ?? 'SPLIT'}`,
      );
    }
    return datasetShards(join(folder, chosen));
  }
  if (split !== undefined) throw fileError(`no split "${split}" in ${folder}: it is a single Dataset, not a DatasetDict`, folder);
  return datasetShards(folder);
}

function datasetShards(folder: string): string[] {
  const stateFile = join(folder, 'state.json');
  if (!existsSync(stateFile)) throw fileError(`not a Hugging Face datasets folder: ${folder} has no state.json`, folder);
  const dataFiles = jsonProperty(stateFile, '_data_files');
  if (!Array.isArray(dataFiles) || dataFiles.length === 0) {
    throw fileError(`invalid state.json in ${folder}: "_data_files" lists no files`, stateFile);
  }
  return dataFiles.map((entry) => {
    const filename = (entry as { filename?: unknown } | null)?.filename;
    if (typeof filename !== 'string') throw fileError(`invalid state.json in ${folder}: a "_data_files" entry has no filename`, stateFile);
    return join(folder, filename);
  });
}

function jsonProperty(file: string, name: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw fileError(`invalid JSON in ${file}: ${errorReason(error)}`, file);
  }
  return (value as Record<string, unknown> | null)?.[name];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
