// The process protocol every benchmark uses, so that ours and a peer each run in their own process (own peak RSS, no
// shared allocator or thread pool) yet are timed interleaved by one parent: ours, peer, ours, peer… A worker prints
// `@@ {json}` lines on stdout (anything else passes through to stderr) and answers one command per stdin line:
//   (start)  → @@ {"ready": {...}}       after loading, building and the warm-up runs
//   run      → @@ {"seconds": s, ...}    one timed run (extra fields: its phases)
//   rss      → @@ {"maxRssKB": k, "rssKB": r}
//   quit     → exits
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const PREFIX = '@@ ';

export type Message = Record<string, unknown>;

export class BenchWorker {
  private readonly waiting: ((message: Message) => void)[] = [];
  private readonly failures: ((error: Error) => void)[] = [];
  private readonly stderrTail: string[] = [];
  readonly ready: Promise<Message>;

  private constructor(
    readonly label: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith(PREFIX)) return void process.stderr.write(`[${label}] ${line}\n`);
      this.failures.shift();
      this.waiting.shift()?.(JSON.parse(line.slice(PREFIX.length)));
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 30) this.stderrTail.shift();
      if (process.env.BENCH_VERBOSE) process.stderr.write(`[${label}] ${line}\n`);
    });
    child.on('exit', (code, signal) => {
      const error = new Error(`${label} exited (${signal ?? code}) while a reply was awaited:\n${this.stderrTail.join('\n')}`);
      this.waiting.length = 0;
      for (const fail of this.failures.splice(0)) fail(error);
    });
    this.ready = this.next();
  }

  static start(label: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): BenchWorker {
    const child = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    return new BenchWorker(label, child);
  }

  private next(): Promise<Message> {
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      this.failures.push(reject);
    });
  }

  async request(command: string): Promise<Message> {
    const reply = this.next();
    this.child.stdin.write(command + '\n');
    return reply;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.write('quit\n');
    await exited;
  }
}

/** Child side: answers `run`, `rss` and `quit` after `setup` (which includes the warm-up runs). */
export async function serveWorker(setup: () => Promise<{ info: Message; run: () => Promise<Message> }>): Promise<void> {
  const send = (message: Message) => process.stdout.write(PREFIX + JSON.stringify(message) + '\n');
  const { info, run } = await setup();
  send({ ready: info });
  for await (const line of createInterface({ input: process.stdin })) {
    const command = line.trim();
    if (command === 'run') {
      // CPU time over wall time shows whether a run really used one thread.
      const cpu = process.cpuUsage();
      const wall = process.hrtime.bigint();
      const result = await run();
      const used = process.cpuUsage(cpu);
      send({ ...result, cpuSeconds: (used.user + used.system) / 1e6, wallSeconds: seconds(wall) });
    }
    else if (command === 'rss') send({ maxRssKB: process.resourceUsage().maxRSS, rssKB: Math.round(process.memoryUsage().rss / 1024) });
    else if (command === 'quit') break;
  }
  process.exit(0);
}

export function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
