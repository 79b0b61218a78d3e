// Turns on the extension host's event loop for long work of ours (parsing the metrics logs of a twenty-run
// comparison): the work is cut into slices and each slice first waits for its turn, so the loop runs everything
// else (other extensions, the workbench's RPC) between two slices. Turns are handed out one at a time across all
// callers: twenty logs whose reads complete together would otherwise parse back to back in one check phase.

let lastTurn: Promise<void> = Promise.resolve();

/** Resolves once the event loop has gone round since the previous caller's turn began. */
export function nextTurn(): Promise<void> {
  const turn = lastTurn.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
  lastTurn = turn;
  return turn;
}
