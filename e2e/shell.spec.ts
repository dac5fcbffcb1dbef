// The studio shell: opens, finds a WebGPU adapter in its worker, names it in the badge, warns loudly about a software
// adapter, navigates by keyboard, and logs no console errors or foreign requests.
import { expect, test, waitForAdapter } from './fixtures';

test('shows the adapter badge and a software-adapter warning', async ({ page, watch }) => {
  await page.goto('/#system');
  const badge = await waitForAdapter(page);
  console.log(`[e2e] adapter badge: ${badge}`);
  expect(badge).toMatch(/GPU\s*\S+/);
  expect(badge).not.toContain('Looking for a GPU');
  const report = await page.evaluate(() => (window as unknown as { __studio: { getState(): { gpu: { report: { isSoftware: boolean; name: string } } } } }).__studio.getState().gpu.report);
  expect(report.name.length).toBeGreaterThan(0);
  if (report.isSoftware) await expect(page.getByTestId('software-adapter-warning')).toBeVisible();
  await expect(page.getByTestId('adapter-name')).toHaveText(report.name);
  await page.screenshot({ path: 'test-results/screenshots/shell-system.png', fullPage: true });
  expect(watch.problems).toEqual([]);
});

test('section navigation is keyboard operable', async ({ page }) => {
  await page.goto('/#system');
  await waitForAdapter(page);
  const systemTab = page.getByRole('tab', { name: /System/ });
  await expect(systemTab).toHaveAttribute('aria-selected', 'true');
  await systemTab.focus();
  await expect(systemTab).toBeFocused();
});
