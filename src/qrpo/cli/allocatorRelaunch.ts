// glibc reads its malloc settings once, at process start (runtime/allocatorTuning.ts explains which and why), so a
// compute command started without them runs in a child of the `qrpo` process that has them. The parent only waits:
// it exits as the child did. Signals: Ctrl-C and a closing terminal reach both processes (they share the process
// group), so the parent ignores SIGINT and SIGHUP and lets the child handle them once; SIGTERM is aimed at one pid
// (the launcher, `kill`), so the parent passes it on. `qrpo stop` signals the child directly (its pid is in
// run.lock). A parent killed outright takes the child with it, so that `kill -9` of `qrpo run` stays the crash it
// looks like (the run resumes from its last checkpoint) rather than a run going on unseen.
import { spawn } from 'node:child_process';
import { engineAllocatorEnvironment } from '../runtime/allocatorTuning';

const RELAUNCHED = 'QRPO_RELAUNCHED_WITH_TUNED_ALLOCATOR';
const IGNORED_IN_PARENT: readonly NodeJS.Signals[] = ['SIGINT', 'SIGHUP'];

/**
 * In the relaunched child: ends the process with SIGKILL if its parent goes away. Returns whether this process is
 * such a child (and then must not relaunch again).
 */
export function followRelaunchingParent(): boolean {
  if (process.env[RELAUNCHED] !== '1') return false;
  // Not for processes this one starts (provider probes and the like).
  delete process.env[RELAUNCHED];
  if (process.channel) {
    process.channel.unref();
    process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  }
  return true;
}

/**
 * Runs `argv` again in a child with the tuned allocator settings and resolves to the exit code to use, or returns
 * undefined when this process should run the command itself (already tuned, not Linux, the settings are the
 * user's own, or a debugger is attached). A child killed by a signal makes the parent die of the same signal.
 */
export function relaunchWithTunedAllocator(argv: readonly string[]): Promise<number> | undefined {
  const additions = engineAllocatorEnvironment();
  // Under a debugger the command must run in the process being debugged (a child would also fight for its port).
  if (Object.keys(additions).length === 0 || process.execArgv.some((flag) => flag.startsWith('--inspect'))) return undefined;
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...additions, [RELAUNCHED]: '1' },
  });
  const ignore = () => undefined;
  const passOn = () => child.kill('SIGTERM');
  for (const signal of IGNORED_IN_PARENT) process.on(signal, ignore);
  process.on('SIGTERM', passOn);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      for (const s of IGNORED_IN_PARENT) process.removeListener(s, ignore);
      process.removeListener('SIGTERM', passOn);
      if (signal) process.kill(process.pid, signal);
      else resolve(code ?? 1);
    });
  });
}
