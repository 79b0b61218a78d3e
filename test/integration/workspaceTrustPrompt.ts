// Trusts the fixture workspace through the Workspace Trust editor when the suite asks, so the suite can check
// Restricted Mode first and then run trusted, through the same button a person clicks. (code-server's web
// workbench does not show the startup trust dialog for an extension-test window, so the suite opens the editor.)
import type { Page } from 'playwright-core';

export const trustRequestMarker = '[qrpo-trust-workspace]';

export async function acceptTrustPrompt(page: Page): Promise<void> {
  try {
    await page.getByRole('button', { name: 'Trust', exact: true }).first().click({ timeout: 20_000 });
    console.log('integration: trusted the workspace in the Workspace Trust editor');
  } catch (error) {
    await page.screenshot({ path: 'test-results/screenshots/trust-failure.png' }).catch(() => undefined);
    console.error(`integration: could not trust the workspace (see test-results/screenshots/trust-failure.png): ${String(error)}`);
  }
}
