// Reads metrics.jsonl incrementally: each call returns only the complete lines appended since the previous one.
// The engine appends whole lines, so bytes after the last newline are a write in progress (or a torn line left by
// a kill) and wait for the next read. A file that shrank or was replaced (another inode) starts over from byte 0,
// and the caller is told to drop what it had.
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';

export interface MetricsChunk {
  readonly records: readonly Record<string, unknown>[];
  /** True when the file was replaced or truncated: the records start from the beginning of the new file. */
  readonly restarted: boolean;
  /** Complete lines that were not JSON objects; skipped. */
  readonly badLines: number;
}

const newline = 0x0a;

export class MetricsTail {
  private offset = 0;
  private inode: number | undefined;

  constructor(readonly file: vscode.Uri) {}

  async readNew(): Promise<MetricsChunk> {
    const { bytes, restarted } = this.file.scheme === 'file' ? await this.readLocal() : await this.readVirtual();
    const end = bytes.lastIndexOf(newline) + 1;
    this.offset += end;
    return { ...parseLines(bytes.subarray(0, end)), restarted };
  }

  private async readLocal(): Promise<{ bytes: Uint8Array; restarted: boolean }> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file.fsPath, 'r');
    } catch {
      return this.missing();
    }
    try {
      const stat = await handle.stat();
      const restarted = (this.inode !== undefined && stat.ino !== this.inode) || stat.size < this.offset;
      this.inode = stat.ino;
      if (restarted) this.offset = 0;
      const length = stat.size - this.offset;
      if (length <= 0) return { bytes: new Uint8Array(0), restarted };
      const bytes = new Uint8Array(length);
      const { bytesRead } = await handle.read(bytes, 0, length, this.offset);
      return { bytes: bytes.subarray(0, bytesRead), restarted };
    } finally {
      await handle.close();
    }
  }

  /** File systems without random access (remote providers): read everything, keep what lies past the offset. */
  private async readVirtual(): Promise<{ bytes: Uint8Array; restarted: boolean }> {
    let all: Uint8Array;
    try {
      all = await vscode.workspace.fs.readFile(this.file);
    } catch {
      return this.missing();
    }
    const restarted = all.length < this.offset;
    if (restarted) this.offset = 0;
    return { bytes: all.subarray(this.offset), restarted };
  }

  private missing(): { bytes: Uint8Array; restarted: boolean } {
    const restarted = this.offset > 0;
    this.offset = 0;
    this.inode = undefined;
    return { bytes: new Uint8Array(0), restarted };
  }
}

function parseLines(bytes: Uint8Array): { records: Record<string, unknown>[]; badLines: number } {
  const text = new TextDecoder().decode(bytes).trim();
  if (text === '') return { records: [], badLines: 0 };
  // One JSON.parse over all lines is several times faster than one per line; a bad line makes it throw, and then
  // the lines are parsed one by one to skip just that line.
  try {
    const all: unknown = JSON.parse(`[${text.split('\n').filter((line) => line.trim() !== '').join(',')}]`);
    if (Array.isArray(all) && all.every(isObject)) return { records: all, badLines: 0 };
  } catch {
    // fall through
  }
  const records: Record<string, unknown>[] = [];
  let badLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isObject(value)) records.push(value);
      else badLines++;
    } catch {
      badLines++;
    }
  }
  return { records, badLines };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
