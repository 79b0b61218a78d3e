// A stage's progress: it says how much is done of how much, and the reporter works out an ETA from the recent rate
// and passes both on (to status.json, throttled there, and to events, throttled here). The rate is measured over a
// sliding window of recent updates, so a resumed stage (done > 0 at its start) or a slow warm-up does not skew it.

export interface ProgressSnapshot {
  done: number;
  total: number | null;
  etaSeconds: number | null;
  ratePerSecond: number | null;
}

const WINDOW_MS = 30_000;

export class RateEstimator {
  private samples: { time: number; done: number }[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  add(done: number): void {
    const time = this.now();
    this.samples.push({ time, done });
    while (this.samples.length > 2 && time - this.samples[1].time >= WINDOW_MS) this.samples.shift();
  }

  /** Units per second over the window, or null before two samples far enough apart. */
  rate(): number | null {
    if (this.samples.length < 2) return null;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const seconds = (last.time - first.time) / 1000;
    return seconds > 0.05 && last.done > first.done ? (last.done - first.done) / seconds : null;
  }
}

export class ProgressReporter {
  private doneCount = 0;
  private totalCount: number | null = null;
  private readonly rates: RateEstimator;
  private lastEventAt = -Infinity;

  constructor(
    private readonly onChange: (snapshot: ProgressSnapshot, notify: boolean) => void,
    private readonly options: { eventIntervalMs?: number; now?: () => number } = {},
  ) {
    this.rates = new RateEstimator(options.now);
  }

  get done(): number {
    return this.doneCount;
  }

  get total(): number | null {
    return this.totalCount;
  }

  /** Sets the total (when a stage learns its size) and optionally where it starts (a resumed stage). */
  start(total: number | null, done = 0): void {
    this.totalCount = total;
    this.update(done);
  }

  update(done: number, total?: number | null): void {
    if (total !== undefined) this.totalCount = total;
    this.doneCount = done;
    this.rates.add(done);
    const now = (this.options.now ?? Date.now)();
    const finished = this.totalCount !== null && done >= this.totalCount;
    // Events go out at most every eventIntervalMs, except the last one of a stage.
    const notify = finished || now - this.lastEventAt >= (this.options.eventIntervalMs ?? 200);
    if (notify) this.lastEventAt = now;
    this.onChange(this.snapshot(), notify);
  }

  advance(count = 1): void {
    this.update(this.doneCount + count);
  }

  snapshot(): ProgressSnapshot {
    const rate = this.rates.rate();
    const remaining = this.totalCount === null ? null : Math.max(0, this.totalCount - this.doneCount);
    const etaSeconds = remaining === 0 ? 0 : remaining !== null && rate !== null ? remaining / rate : null;
    return { done: this.doneCount, total: this.totalCount, etaSeconds, ratePerSecond: rate };
  }
}
