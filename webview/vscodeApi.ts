// The webview's handle to its host. `acquireVsCodeApi` may be called only once per page, so every module that
// talks to the host goes through this one.

interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<State = unknown>(): VsCodeApi<State>;

const api = acquireVsCodeApi();

export function postToHost<Message>(message: Message): void {
  api.postMessage(message);
}

export function saveState<State>(state: State): void {
  api.setState(state);
}
