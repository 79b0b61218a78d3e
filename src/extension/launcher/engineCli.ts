// Runs the engine's command line as a child process and streams its JSON events. Compute never runs in the
// extension host: a long prepare or training step would freeze every extension sharing the host.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ConfigKey } from '../contributionIds';
import { qrpoLog } from '../log';
import { CliEvent, parseCliEvent } from './cliEvents';

export interface CliRunResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly cancelled: boolean;
  /** The last `error` event, if the CLI reported a user error. */
  readonly error?: string;
}

export interface CliRunOptions {
  readonly cwd: string;
  readonly onEvent: (event: CliEvent) => void;
  readonly token?: vscode.CancellationToken;
}

/** The bundled `dist/cli.js`, unless `qrpo.cliPath` points elsewhere (ignored in Restricted Mode by VS Code). */
export function engineCliPath(extensionPath: string): string {
  const configured = vscode.workspace.getConfiguration(ConfigKey.section).get<string>(ConfigKey.cliPath)?.trim();
  return configured ? configured : path.join(extensionPath, 'dist', 'cli.js');
}

export function runEngineCli(cliPath: string, args: readonly string[], options: CliRunOptions): Promise<CliRunResult> {
  const log = qrpoLog();
  // A .js CLI runs under the extension host's own executable: Node in code-server, Electron in desktop VS Code,
  // where ELECTRON_RUN_AS_NODE makes it behave as plain Node.
  const isScript = /\.[cm]?js$/.test(cliPath);
  const command = isScript ? process.execPath : cliPath;
  const commandArgs = isScript ? [cliPath, ...args] : [...args];
  log.info(`$ ${[cliPath, ...args].map(quoteForLog).join(' ')}`);

  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, {
      cwd: options.cwd,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let cancelled = false;
    let error: string | undefined;
    const cancellation = options.token?.onCancellationRequested(() => {
      cancelled = true;
      child.kill('SIGTERM');
    });

    forEachLine(child.stdout, (line) => {
      const event = parseCliEvent(line);
      if (!event) {
        log.info(`[cli] ${line}`);
        return;
      }
      if (event.event === 'error') error = event.message;
      if (event.event === 'invalid' || event.event === 'error') log.warn(`[cli] ${event.message}`);
      else log.info(`[cli] ${line}`);
      options.onEvent(event);
    });
    forEachLine(child.stderr, (line) => log.warn(`[cli stderr] ${line}`));

    child.on('error', (spawnError) => {
      cancellation?.dispose();
      log.error(`Could not start ${cliPath}: ${spawnError.message}`);
      resolve({ exitCode: null, signal: null, cancelled, error: `Could not start the QRPO engine (${spawnError.message})` });
    });
    child.on('close', (exitCode, signal) => {
      cancellation?.dispose();
      log.info(`[cli] exited with ${signal ?? `code ${exitCode}`}${cancelled ? ' (cancelled)' : ''}`);
      resolve({ exitCode, signal, cancelled, error });
    });
  });
}

function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line.replace(/\r$/, ''));
  });
  stream.on('end', () => {
    if (buffered.trim()) onLine(buffered);
  });
}

function quoteForLog(arg: string): string {
  return /^[\w./=:@+-]+$/.test(arg) ? arg : JSON.stringify(arg);
}
