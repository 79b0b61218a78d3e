// Dataset readers: JSONL, JSON, CSV, Parquet and Hugging Face `datasets` folders (Arrow), normalised to pointwise
// records whatever the row shape (pointwise, TRL pairs, the QRPO authors' conversations).
export type {
  ChatMessage,
  DatasetFormat,
  DatasetSummary,
  PointwiseRecord,
  ReadDatasetOptions,
  RowLocation,
  SourceRow,
  Text,
} from './records';
export { readDataset } from './readDataset';
export { detectFormat, datasetFiles, parseDatasetPath } from './datasetPath';
export type { DatasetFiles } from './datasetPath';
export { normaliseRow } from './normaliseRow';
export { promptKey } from './promptKey';
export type { NormaliseOptions } from './normaliseRow';
export { jsonlRows } from './jsonlRows';
export { jsonRows } from './jsonRows';
export { csvRows } from './csvRows';
export { parquetRows } from './parquetRows';
export { arrowRows } from './arrowRows';
