/**
 * Shared e2e fixture: every test page records console errors/warnings, uncaught exceptions and requests to other
 * origins (the studio must make none), and fails the test if any occurred.
 */
import { test as base, expect, type Page } from '@playwright/test';

export interface PageWatch {
  problems: string[];
  foreignRequests: string[];
}

export const test = base.extend<{ watch: PageWatch }>({
  watch: async ({ page, baseURL }, use) => {
    const w: PageWatch = { problems: [], foreignRequests: [] };
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') w.problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => w.problems.push(`uncaught: ${e.message}`));
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(baseURL!) && !url.startsWith('data:') && !url.startsWith('blob:')) w.foreignRequests.push(url);
    });
    await use(w);
    expect(w.foreignRequests, 'requests to other origins').toEqual([]);
    expect(w.problems, 'console errors/warnings').toEqual([]);
  },
});

export { expect };

/** Waits until the training worker has reported a GPU adapter and returns the badge text. */
export async function waitForAdapter(page: Page): Promise<string> {
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __studio: { getState(): { gpu: { state: string } } } }).__studio.getState().gpu.state))
    .toBe('ready');
  return (await page.getByTestId('adapter-badge').textContent()) ?? '';
}
