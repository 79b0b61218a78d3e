// Runs the engine's command line as a child process and streams its JSON events. Compute never runs in the
// extension host: a long prepare or training step would freeze every extension sharing the host.
import { spawn, type ChildProcess } from 'node:child_process';
import { engineAllocatorEnvironment } from '../../qrpo/runtime/allocatorTuning';
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
  /** Set when this engine has no such command (an older or newer CLI than the extension expects). */
  readonly unknownCommand?: string;
  /** The last lines the CLI wrote to stderr, for messages when it failed without an error event. */
  readonly stderrTail: readonly string[];
}

export interface CliRunOptions<E extends { event: string; message?: string }> {
  readonly cwd: string;
  readonly onEvent: (event: E) => void;
  readonly token?: vscode.CancellationToken;
  /** Turns a stdout line into an event; lines it rejects go to the log as they are. */
  readonly parse?: (line: string) => E | undefined;
}

export interface EngineProcess {
  readonly child: ChildProcess;
  readonly done: Promise<CliRunResult>;
}

/** The bundled `dist/cli.js`, unless `qrpo.cliPath` points elsewhere (ignored in Restricted Mode by VS Code). */
export function engineCliPath(extensionPath: string): string {
  const configured = vscode.workspace.getConfiguration(ConfigKey.section).get<string>(ConfigKey.cliPath)?.trim();
  return configured ? configured : path.join(extensionPath, 'dist', 'cli.js');
}

export function runEngineCli(cliPath: string, args: readonly string[], options: CliRunOptions<CliEvent>): Promise<CliRunResult> {
  return startEngineCli(cliPath, args, { parse: parseCliEvent, ...options }).done;
}

export function startEngineCli<E extends { event: string; message?: string }>(cliPath: string, args: readonly string[], options: CliRunOptions<E>): EngineProcess {
  const log = qrpoLog();
  // A .js CLI runs under the extension host's own executable: Node in code-server, Electron in desktop VS Code,
  // where ELECTRON_RUN_AS_NODE makes it behave as plain Node.
  const isScript = /\.[cm]?js$/.test(cliPath);
  const command = isScript ? process.execPath : cliPath;
  const commandArgs = isScript ? [cliPath, ...args] : [...args];
  log.info(`$ ${[cliPath, ...args].map(quoteForLog).join(' ')}`);

  const child = spawn(command, commandArgs, {
    cwd: options.cwd,
    // The engine's allocator settings go in here, so the CLI need not restart itself to get them.
    env: { ...process.env, ...engineAllocatorEnvironment(), ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<CliRunResult>((resolve) => {
    let cancelled = false;
    let error: string | undefined;
    let unknownCommand: string | undefined;
    const stderrTail: string[] = [];
    const cancellation = options.token?.onCancellationRequested(() => {
      cancelled = true;
      child.kill('SIGTERM');
    });

    forEachLine(child.stdout!, (line) => {
      const event = (options.parse ?? (parseCliEvent as unknown as (line: string) => E | undefined))(line);
      if (!event) {
        log.info(`[cli] ${line}`);
        return;
      }
      if (event.event === 'error' && typeof event.message === 'string') error = event.message;
      if ((event.event === 'invalid' || event.event === 'error' || event.event === 'warning') && event.message) log.warn(`[cli] ${event.message}`);
      else log.info(`[cli] ${line}`);
      options.onEvent(event);
    });
    forEachLine(child.stderr!, (line) => {
      log.warn(`[cli stderr] ${line}`);
      unknownCommand ??= /^error: unknown command '([^']+)'/.exec(line)?.[1];
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
    });

    child.on('error', (spawnError) => {
      cancellation?.dispose();
      log.error(`Could not start ${cliPath}: ${spawnError.message}`);
      resolve({ exitCode: null, signal: null, cancelled, error: `Could not start the QRPO engine (${spawnError.message})`, stderrTail });
    });
    child.on('close', (exitCode, signal) => {
      cancellation?.dispose();
      log.info(`[cli] exited with ${signal ?? `code ${exitCode}`}${cancelled ? ' (cancelled)' : ''}`);
      resolve({ exitCode, signal, cancelled, error, unknownCommand, stderrTail });
    });
  });
  return { child, done };
}

/** Why a CLI run failed, in words for a message. */
export function describeFailure(result: CliRunResult): string {
  if (result.unknownCommand) return `this QRPO engine has no '${result.unknownCommand}' command`;
  if (result.error) return result.error;
  const lastError = [...result.stderrTail].reverse().find((line) => /error/i.test(line));
  return lastError?.replace(/^error: /, '') ?? `the QRPO engine exited with ${result.signal ?? `code ${result.exitCode}`}`;
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
