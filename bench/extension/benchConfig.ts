// What the launcher tells the in-host bench, through a JSON file beside the workspace (the extension host does not
// get the launcher's arguments), and the log markers the two sides talk through.
export interface HostBenchConfig {
  readonly runs: number;
  readonly steps: number;
  /** Runs in the comparison panel of (b). */
  readonly compare: number;
  /** Runs in the Compare Runs panel that follows the live run in (c), the live one included. */
  readonly follow: number;
  /** Which source the measured extension was built from (commit, uncommitted changes). */
  readonly label: string;
  /** Metrics lines per second the writer appends to the live run. */
  readonly rate: number;
  /** Seconds of each measured phase (baseline, writing). */
  readonly phaseSeconds: number;
  /** The live run's lock owner: the launcher, alive for the whole bench. */
  readonly ownerPid: number;
  /** bench/.out/extension/metricsWriter.js */
  readonly writer: string;
  /** Where the host writes its results (JSON). */
  readonly outputFolder: string;
  /** Where the launcher answers page probes (fresh for each bench run). */
  readonly probeFolder: string;
}

export const configFileName = 'host-bench-config.json';
export const resultsFileName = 'host-bench-results.json';
/** A line of the bench's report; the launcher prints it. */
export const benchLinePrefix = '[qrpo-bench] ';
/** A page probe request (pageProbe.ts): `[qrpo-bench-probe] {json}`. */
export const probeMarker = '[qrpo-bench-probe]';
export const probePattern = /\[qrpo-bench-probe\] (\{.*\})/;

export interface ProbeRequest {
  readonly id: number;
  /** arm: start watching the page for a visible side bar row with `text`; collect: report when it appeared. */
  readonly action: 'arm' | 'collect';
  readonly text: string;
  /** The launcher answers by writing `${file}.armed`, then `${file}` with {at: epoch ms} (or {error}). */
  readonly file: string;
}
