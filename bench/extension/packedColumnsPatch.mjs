// A proposed fix, applied only to the bench's build: MetricTable.slice (src/extension/panels/shared/metricTable.ts)
// returns its columns as views of one Float64Array instead of one array each. Webview.postMessage passes every
// distinct ArrayBuffer as its own RPC argument (VS Code: `$postMessage(handle, message, ...buffers)`), and the RPC
// layer writes the argument count as one byte, so a message with more than 253 buffers never arrives: a snapshot
// of 15 runs × 17 metric columns already fails ("undefined" is not valid JSON). Views of one buffer travel as one.
import { readFileSync } from 'node:fs';

const original = `  slice(start = 0): MetricColumns {
    const end = this.count;
    return { rows: Math.max(0, end - start), names: [...this.names], columns: this.columns.map((c) => c.slice(start, end)) };
  }`;
const packed = `  slice(start = 0): MetricColumns {
    const end = this.count;
    const rows = Math.max(0, end - start);
    const all = new Float64Array(rows * this.columns.length);
    const columns = this.columns.map((c, k) => {
      const view = all.subarray(k * rows, (k + 1) * rows);
      view.set(c.subarray(start, end));
      return view;
    });
    return { rows, names: [...this.names], columns };
  }`;

export function packedColumnsPatch() {
  return {
    name: 'packed-columns',
    setup(build) {
      build.onLoad({ filter: /panels[\\/]shared[\\/]metricTable\.ts$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes(original)) throw new Error(`${args.path} changed: the packed-columns patch no longer applies`);
        return { contents: source.replace(original, packed), loader: 'ts' };
      });
    },
  };
}
