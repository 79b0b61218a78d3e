// Reads metrics.jsonl incrementally: each call returns only the complete lines appended since the previous one.
// The engine appends whole lines, so bytes after the last newline are a write in progress (or a torn line left by
// a kill) and wait for the next read. A file that shrank or was replaced (another inode) starts over from byte 0,
// and the caller is told to drop what it had. What was read is parsed in slices of whole lines (metricsLines.ts), each
// on its own event-loop turn (eventLoopTurns.ts), so a log of any size never holds the extension host for long.
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { nextTurn } from './eventLoopTurns';
import { lineSlices, parseMetricsLines } from './metricsLines';

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

  /** Everything appended since the previous read, as one chunk. */
  async readNew(): Promise<MetricsChunk> {
    const records: Record<string, unknown>[] = [];
    let badLines = 0;
    let restarted = false;
    for await (const slice of this.readNewSlices()) {
      for (const record of slice.records) records.push(record);
      badLines += slice.badLines;
      restarted ||= slice.restarted;
    }
    return { records, badLines, restarted };
  }

  /**
   * What was appended since the previous read, slice by slice, each after an event-loop turn but the first; only
   * the first says `restarted`. Take every slice: the next read starts after the last of them.
   */
  async *readNewSlices(): AsyncGenerator<MetricsChunk> {
    const { bytes, restarted } = this.file.scheme === 'file' ? await this.readLocal() : await this.readVirtual();
    const end = bytes.lastIndexOf(newline) + 1;
    this.offset += end;
    let first = true;
    for (const lines of lineSlices(bytes.subarray(0, end))) {
      if (!first) await nextTurn();
      yield { ...parseMetricsLines(lines), restarted: first && restarted };
      first = false;
    }
    if (first && restarted) yield { records: [], badLines: 0, restarted };
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
