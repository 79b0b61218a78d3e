// Prompts to generate from: any dataset file the readers understand (JSONL, JSON, CSV, Parquet, a Hugging Face
// datasets folder), one prompt per row. A row needs only `prompt` (a string or messages); rows of a scored dataset
// work too, and the QRPO authors' {chosen, rejected} conversations give their shared leading messages.
import { arrowRows, csvRows, datasetFiles, jsonRows, jsonlRows, normaliseRow, parquetRows, type DatasetFormat, type SourceRow, type Text } from '../data';
import { readText } from '../data/fields';
import { describeValue, rowError } from '../data/rowErrors';

export interface PromptRow {
  /** 0-based index of the row among the prompts read. */
  readonly index: number;
  readonly prompt: Text;
  /** The row's other fields except completions and rewards (ids, categories…), to carry into the output. */
  readonly extra: Record<string, unknown>;
}

const READERS: Record<DatasetFormat, (file: string) => AsyncGenerator<SourceRow>> = {
  jsonl: jsonlRows,
  json: jsonRows,
  csv: csvRows,
  parquet: parquetRows,
  arrow: arrowRows,
};

const DROPPED_FIELDS = new Set(['prompt', 'completion', 'chosen', 'rejected', 'reward', 'ref_rewards', 'refRewards', 'chosen_rewards', 'rejected_rewards', 'chosen_reward', 'rejected_reward', 'score_chosen', 'score_rejected']);

export async function* readPrompts(path: string): AsyncGenerator<PromptRow> {
  const { format, files } = datasetFiles(path);
  let index = 0;
  for (const file of files) {
    for await (const source of READERS[format](file)) {
      if ('error' in source) throw source.error;
      const { row, location } = source;
      if (typeof row !== 'object' || row === null || Array.isArray(row)) throw rowError(`row is not an object, got ${describeValue(row)}`, location);
      const fields = row as Record<string, unknown>;
      const prompt = fields.prompt !== undefined && fields.prompt !== null ? readText(fields.prompt, location, 'prompt') : normaliseRow(row, location)[0].prompt;
      if (prompt.length === 0) throw rowError('prompt is empty', location, 'prompt');
      const extra = Object.fromEntries(Object.entries(fields).filter(([key]) => !DROPPED_FIELDS.has(key)));
      yield { index: index++, prompt, extra };
    }
  }
}
