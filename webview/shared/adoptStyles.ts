// Panel styles as constructable stylesheets: they live next to the component that needs them and are not
// subject to the strict style-src CSP (which blocks <style> elements without the nonce).

export function adoptStyles(css: string): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
