// The demo's run folders for the suite (test/suite/demoRuns.test.ts): the launcher runs `qrpo demo --quick` with
// the real CLI into the workspace's demo-runs/, as `npm run demo` writes demo-runs/ in a person's checkout, so the
// panels open on runs the engine produced in this very session. --quick is the demo's own scaled-down setting
// (about 15 s of CPU); it runs while code-server starts, and the workbench loads once it has finished.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** Where the demo writes, relative to the workspace, and the run folders the suite opens. */
export const demoRuns = { folder: 'demo-runs', qrpo: 'demo-runs/qrpo', dpo: 'demo-runs/dpo', summary: 'demo-runs/summary.json' } as const;

export interface DemoProcess {
  /** Resolves once the demo has written its summary; rejects with the end of its output if it failed. */
  readonly finished: Promise<void>;
  /** Stops the demo if it is still running (the launcher is giving up). */
  stop(): void;
}

export function startDemoRuns(cli: string, workspace: string, echo: boolean): DemoProcess {
  const child: ChildProcess = spawn(process.execPath, [cli, 'demo', '--quick', '--out', join(workspace, demoRuns.folder)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      output = (output + chunk).slice(-4_000);
      if (echo) process.stdout.write(chunk);
    });
  }
  const started = Date.now();
  const finished = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) {
        console.log(`integration: qrpo demo --quick wrote ${demoRuns.folder}/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        resolve();
      } else {
        reject(new Error(`qrpo demo --quick failed (${signal ?? `exit code ${code}`}):\n${output}`));
      }
    });
  });
  // The launcher awaits it only once Chromium is up: a failure before then must not count as unhandled.
  finished.catch(() => undefined);
  return {
    finished,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
