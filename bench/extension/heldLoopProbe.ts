// How long the extension host's main thread was held at once, told apart from the machine's noise. A 5 ms interval
// timer notes at each tick the wall time and the main thread's CPU time (process.threadCpuUsage, Node ≥ 23.9) since
// the previous tick. CPU time between two ticks is work that kept the timer waiting; a tick that came late while
// the thread used little CPU was the process descheduled by the OS (the machine is shared), which
// monitorEventLoopDelay alone cannot tell apart from code holding the loop.
import { performance } from 'node:perf_hooks';
import { round } from './stats';

const periodMs = 5;

export interface HeldLoop {
  /** The most main-thread CPU time between two ticks: the longest any code held the loop in one go. */
  readonly longestHeldMs: number;
  /** The longest wall time between two ticks, whatever the cause. */
  readonly longestGapMs: number;
}

type ThreadCpuUsage = (previous?: NodeJS.CpuUsage) => NodeJS.CpuUsage;

export class HeldLoopProbe {
  private readonly threadCpu = (process as unknown as { threadCpuUsage?: ThreadCpuUsage }).threadCpuUsage?.bind(process);
  private timer: ReturnType<typeof setInterval> | undefined;
  private longestHeld = 0;
  private longestGap = 0;

  start(): void {
    if (!this.threadCpu) throw new Error(`process.threadCpuUsage is missing in Node ${process.version}; the probe needs Node ≥ 23.9`);
    const threadCpu = this.threadCpu;
    let lastWall = performance.now();
    let lastCpu = threadCpu();
    this.timer = setInterval(() => {
      const wall = performance.now();
      const cpu = threadCpu();
      this.longestGap = Math.max(this.longestGap, wall - lastWall);
      this.longestHeld = Math.max(this.longestHeld, (cpu.user + cpu.system - lastCpu.user - lastCpu.system) / 1000);
      lastWall = wall;
      lastCpu = cpu;
    }, periodMs);
  }

  stop(): HeldLoop {
    clearInterval(this.timer);
    return { longestHeldMs: round(this.longestHeld), longestGapMs: round(this.longestGap) };
  }
}
