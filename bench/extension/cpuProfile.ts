// Attributes extension-host CPU time to code, with the V8 sampling profiler (node:inspector, in-process, 1 ms
// samples). "Ours" is any sample with a frame of dist/extension.js on its stack (our code, or what it called
// synchronously); a stretch is consecutive such samples, i.e. at most how long our code held the event loop in one go.
import { Session } from 'node:inspector';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface CpuAttribution {
  readonly sampledMs: number;
  /** Self time by where the sampled frame's code lives. */
  readonly selfMs: Readonly<Record<string, number>>;
  /** Samples with a frame of our bundle anywhere on the stack. */
  readonly oursInclusiveMs: number;
  /** The longest run of consecutive samples inside our code: the longest our code blocked the loop. */
  readonly longestOursStretchMs: number;
  /** The longest run of consecutive non-idle samples, whoever's. */
  readonly longestBusyStretchMs: number;
  readonly longestBusyStretchIsOurs: boolean;
  /** Our functions by self time. */
  readonly topOurs: readonly { readonly frame: string; readonly selfMs: number }[];
}

export class CpuProfiler {
  private readonly session = new Session();

  async start(): Promise<void> {
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.setSamplingInterval', { interval: 1000 });
    await this.post('Profiler.start');
  }

  async stop(ourBundle: string): Promise<CpuAttribution> {
    const { profile } = (await this.post('Profiler.stop')) as { profile: Profile };
    await this.post('Profiler.disable');
    this.session.disconnect();
    return attribute(profile, ourBundle);
  }

  private post(method: string, params?: object): Promise<unknown> {
    return new Promise((resolve, reject) => this.session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  }
}

function category(url: string, functionName: string, ourBundle: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : 'native';
  if (url.endsWith(ourBundle)) return 'ours';
  if (url.includes('/bench/.out/')) return 'bench';
  if (url.startsWith('node:')) return 'node';
  if (url.includes('/vs/') || url.includes('extensionHost')) return 'vscode';
  return 'other extensions';
}

export function attribute(profile: Profile, ourBundle: string): CpuAttribution {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inOurs = new Map<number, boolean>();
  const isOurs = (id: number): boolean => {
    const known = inOurs.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const value = node.callFrame.url.endsWith(ourBundle) || (parent.has(id) && isOurs(parent.get(id)!));
    inOurs.set(id, value);
    return value;
  };
  const selfMs: Record<string, number> = {};
  const oursSelf = new Map<string, number>();
  let sampled = 0;
  let oursInclusive = 0;
  let stretch = 0;
  let longestOurs = 0;
  let busy = 0;
  let busyHasOurs = false;
  let longestBusy = 0;
  let longestBusyIsOurs = false;
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time before sample i, so sample i lasts until sample i + 1.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(profile.samples[i])!;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = category(url, functionName, ourBundle);
    selfMs[where] = (selfMs[where] ?? 0) + ms;
    sampled += ms;
    const ours = isOurs(node.id);
    if (ours) {
      oursInclusive += ms;
      stretch += ms;
      longestOurs = Math.max(longestOurs, stretch);
      if (where === 'ours') oursSelf.set(`${functionName || '(anonymous)'} :${lineNumber + 1}`, (oursSelf.get(`${functionName || '(anonymous)'} :${lineNumber + 1}`) ?? 0) + ms);
    } else stretch = 0;
    if (functionName === '(idle)') {
      busy = 0;
      busyHasOurs = false;
    } else {
      busy += ms;
      busyHasOurs ||= ours;
      if (busy > longestBusy) {
        longestBusy = busy;
        longestBusyIsOurs = busyHasOurs;
      }
    }
  }
  const rounded = (x: number) => Math.round(x * 10) / 10;
  return {
    sampledMs: rounded(sampled),
    selfMs: Object.fromEntries(Object.entries(selfMs).map(([k, v]) => [k, rounded(v)]).sort((a, b) => Number(b[1]) - Number(a[1]))),
    oursInclusiveMs: rounded(oursInclusive),
    longestOursStretchMs: rounded(longestOurs),
    longestBusyStretchMs: rounded(longestBusy),
    longestBusyStretchIsOurs: longestBusyIsOurs,
    topOurs: [...oursSelf].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([frame, ms]) => ({ frame, selfMs: rounded(ms) })),
  };
}
