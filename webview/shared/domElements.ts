// Creating elements with text and a class in one call; text always goes through textContent, never innerHTML,
// since metric and run names come from files.

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K];
export function element(tag: string, text?: string, className?: string): HTMLElement;
export function element(tag: string, text = '', className = ''): HTMLElement {
  const el = document.createElement(tag);
  if (text) el.textContent = text;
  if (className) el.className = className;
  return el;
}
