// The Data and Model sections in the built studio (Chromium, SwiftShader WebGPU): the demo dataset on first visit;
// the real Sentinel-2 13-band stack and part of the real Landsat series recognised (sensor, bands, dates) through the
// file and folder pickers; a truncated file dropped onto the drop zone fails on its own row while the loaded data
// stays; inline corrections; the Model section's estimate, a refused invalid field, export and import.
// Real files are read from ../shared/data (never copied into the repository); screenshots go to test-results/screenshots.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test, waitForAdapter } from './fixtures';

const DATA = path.resolve(process.cwd(), '../shared/data');
const S2 = path.join(DATA, 'sentinel2-l1c-T33UUU-20170216/S2A_MSIL1C_20170216T102101_T33UUU_13bands_10m.tif');
const LANDSAT = path.join(DATA, 'landsat-lsts-105dates');
const SCENES = ['LT50350322008110PAC01', 'LE70350322008118EDC00', 'LT50350322008126PAC01'];
const landsatFiles = (scene: string) => ['b3', 'b4', 'b5', 'fmask'].map((b) => path.join(LANDSAT, scene, `${scene}_${b}.tif`));

interface StudioWindow {
  __studio: {
    getState(): {
      data: { summary: { counts: { files: number; failed: number; demo: number }; dataset: { ready: boolean; modalities: { name: string }[] } | null } | null; pending: number };
      model: { problems: string[]; estimate: { params: number } | null; checking: boolean };
    };
  };
}

const counts = (page: Page) => page.evaluate(() => (window as unknown as StudioWindow).__studio.getState().data.summary?.counts ?? null);
const idle = (page: Page) => page.evaluate(() => (window as unknown as StudioWindow).__studio.getState().data.pending === 0);

/** Marks the browser as visited so the demo does not load by itself (tests of the user's own data). */
async function asReturningVisitor(page: Page) {
  await page.addInitScript(() => localStorage.setItem('eo-mae-studio.visited', 'e2e'));
}

test('the demo dataset loads on the first visit, with its modalities, dates and previews', async ({ page }) => {
  const t0 = Date.now();
  await page.goto('/');
  await waitForAdapter(page);
  await expect(page.getByTestId('data-section')).toBeVisible();
  await expect.poll(() => counts(page), { timeout: 110_000 }).toMatchObject({ files: 41, demo: 41, failed: 0 });
  console.log(`[e2e] demo dataset generated and inspected in the worker in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const table = page.getByTestId('dataset-modalities');
  for (const m of ['s2', 's1_asc', 's1_des', 'aerial']) await expect(table.getByRole('rowheader', { name: m, exact: true })).toBeVisible();
  // Twelve Sentinel-2 dates on the strip, each described with its cloud state.
  await expect(page.getByTestId('date-strip-s2').first().getByRole('button')).toHaveCount(12);
  await expect(page.getByTestId('date-strip-s2').first().getByRole('button').first()).toHaveAttribute('aria-label', /^2021-\d\d-\d\d(T\d\dh)?: (clear|partly cloudy|cloudy) \(\d+ % cloud or shadow\)/);
  // The composite preview is drawn (non-transparent pixels) and its stretch is printed.
  await expect(page.getByTestId('stretch-ranges')).toContainText('2–98 % stretch');
  const drawn = await page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid="preview-panel"] canvas');
    if (!c || c.width < 2) return 0;
    const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let opaque = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] === 255) opaque++;
    return opaque / (c.width * c.height);
  });
  expect(drawn).toBeGreaterThan(0.5);
  await expect(page.getByTestId('footprint-loc0')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/data-demo.png', fullPage: true });

  // Second visit: the demo is not loaded again by itself, but stays one click away.
  await page.reload();
  await waitForAdapter(page);
  await expect(page.getByRole('button', { name: 'Load demo dataset' })).toBeEnabled();
  expect(await counts(page)).toBeNull();
});

test('real Sentinel-2 and Landsat files are recognised; a truncated file fails on its own row and nothing else is lost', async ({ page }) => {
  await asReturningVisitor(page);
  await page.goto('/#data');
  await waitForAdapter(page);
  await page.getByTestId('file-input').setInputFiles([S2, ...SCENES.slice(0, 2).flatMap(landsatFiles)]);
  await expect.poll(() => counts(page), { timeout: 60_000 }).toMatchObject({ files: 9, failed: 0 });
  // The folder picker: one more Landsat scene as a folder (its 4 files, paths relative to the folder).
  await page.getByTestId('folder-input').setInputFiles(path.join(LANDSAT, SCENES[2]));
  await expect.poll(() => counts(page), { timeout: 60_000 }).toMatchObject({ files: 13, failed: 0 });

  const s2Row = page.locator(`[data-testid="file-row"][data-path="${path.basename(S2)}"]`);
  await expect(s2Row.getByTestId('sensor-select')).toHaveValue('sentinel-2');
  await expect(s2Row.getByTestId('bands-cell')).toContainText('13');
  await expect(s2Row.getByTestId('bands-cell')).toHaveAttribute('title', /B01, B02, .*B8A, B09, B10, B11, B12/);
  await expect(s2Row.getByTestId('date-input')).toHaveValue(/^2017-02-16/);
  const b3 = page.locator('[data-testid="file-row"][data-path$="LT50350322008110PAC01_b3.tif"]');
  await expect(b3.getByTestId('sensor-select')).toHaveValue('landsat');
  await expect(b3.getByTestId('bands-cell')).toContainText('B3');
  await expect(b3.getByTestId('date-input')).toHaveValue('2008-04-19');
  const folderRow = page.locator(`[data-testid="file-row"][data-path="${SCENES[2]}/${SCENES[2]}_b4.tif"]`);
  await expect(folderRow.getByTestId('date-input')).toHaveValue('2008-05-05');
  await expect(page.getByTestId('date-strip-landsat').getByRole('button')).toHaveCount(3);
  // These files are deflate-compressed: their blocks went through geotiff's decoder Pool, nested in the studio worker
  // (every core but one; src/data/pool.ts startDecodePool proved the workers decode before using them).
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const workers = Math.max(1, Math.min(8, cores - 1));
  await expect(page.getByTestId('decoder-workers')).toHaveText(`decoded on ${workers} worker thread${workers === 1 ? '' : 's'}`);

  // A truncated copy, dropped onto the drop zone as a user would (DataTransfer built in the page).
  const bytes = readFileSync(landsatFiles(SCENES[0])[0]).subarray(0, 400);
  const dt = await page.evaluateHandle((b64) => {
    const bin = atob(b64);
    const buf = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) buf[i] = bin.charCodeAt(i);
    const d = new DataTransfer();
    d.items.add(new File([buf], 'LE70350322009072EDC00_b3_truncated.tif', { type: 'image/tiff' }));
    return d;
  }, Buffer.from(bytes).toString('base64'));
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: dt });
  await expect.poll(() => counts(page), { timeout: 60_000 }).toMatchObject({ files: 14, failed: 1 });
  const bad = page.locator('[data-testid="file-row"][data-ok="false"]');
  await expect(bad).toHaveCount(1);
  await expect(bad.getByTestId('file-error')).toContainText('LE70350322009072EDC00_b3_truncated.tif');
  await expect(bad.getByTestId('file-error')).toContainText(/truncated|damaged/);
  await expect(s2Row.getByTestId('sensor-select')).toHaveValue('sentinel-2');
  await expect(page.getByTestId('dataset-modalities')).toBeVisible();

  // Inline corrections: an impossible date is refused next to its row; a valid modality name is applied.
  await b3.getByTestId('date-input').fill('2008-02-30');
  await b3.getByTestId('date-input').press('Enter');
  await expect(page.getByTestId('row-error')).toContainText('does not exist');
  await s2Row.getByTestId('modality-input').fill('s2_l1c');
  await s2Row.getByTestId('modality-input').press('Enter');
  await expect(s2Row.getByTestId('modality-input')).toHaveValue('s2_l1c');
  await expect(s2Row.getByText('corrected')).toBeVisible();
  await expect.poll(() => idle(page)).toBe(true);
  expect(await counts(page)).toMatchObject({ files: 14, failed: 1 });
  await page.screenshot({ path: 'test-results/screenshots/data-real-files.png', fullPage: true });
});

test('the Model section shows the estimate, refuses an invalid field with its message, exports and imports', async ({ page }) => {
  await asReturningVisitor(page);
  await page.goto('/#data');
  await waitForAdapter(page);
  await page.getByTestId('file-input').setInputFiles(SCENES.flatMap(landsatFiles));
  await expect.poll(() => counts(page), { timeout: 60_000 }).toMatchObject({ files: 12, failed: 0 });
  await page.getByRole('tab', { name: /Model/ }).click();
  await expect(page.getByTestId('model-section')).toBeVisible();
  await expect(page.getByTestId('estimate-params')).toHaveText(/\d/);
  await expect(page.getByTestId('estimate-memory')).toHaveText(/(KiB|MiB|GiB)/);
  await expect(page.getByTestId('fit-verdict')).toBeVisible();
  await expect(page.getByTestId('modality-landsat')).toContainText('3 bands');

  const ratio = page.getByLabel('Masking ratio');
  await ratio.fill('1.5');
  await expect(page.getByTestId('problems-masking.ratio')).toContainText('must be in (0, 1)');
  await expect(ratio).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('estimate-blocked')).toBeVisible();
  await expect(page.getByTestId('export-config')).toBeDisabled();
  await page.screenshot({ path: 'test-results/screenshots/model-invalid-field.png', fullPage: true });
  await ratio.fill('0.6');
  await expect(page.getByTestId('problems-masking.ratio')).toHaveCount(0);
  await expect(page.getByTestId('estimate-params')).toBeVisible();

  // The anchor-aware strategy brings its own settings (defaults filled in by the worker) and stays valid.
  await page.getByRole('radio', { name: /Anchor-aware/ }).check();
  await expect(page.getByTestId('anchor-settings')).toBeVisible();
  await expect(page.getByLabel('p_hi')).toHaveValue('0.9');
  await expect.poll(() => page.evaluate(() => (window as unknown as StudioWindow).__studio.getState().model.problems)).toEqual([]);
  await page.getByRole('radio', { name: /^Structured/ }).check();
  await expect(page.getByTestId('anchor-settings')).toHaveCount(0);

  await page.getByRole('radio', { name: /^small/ }).check();
  await expect(page.getByRole('radio', { name: /^small/ })).toBeChecked();
  await expect.poll(() => page.evaluate(() => (window as unknown as StudioWindow).__studio.getState().model.checking)).toBe(false);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-config').click()]);
  const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  expect(exported.masking.ratio).toBe(0.6);
  expect(exported.preset).toBe('small');
  exported.loss = 'l2';
  await page.getByTestId('import-config-input').setInputFiles({ name: 'config.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(exported)) });
  await expect(page.getByRole('radio', { name: /L2/ })).toBeChecked();
  await page.getByTestId('import-config-input').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"version": 1}') });
  await expect(page.getByTestId('import-error')).toContainText('was not imported');
  await expect(page.getByRole('radio', { name: /L2/ })).toBeChecked();
  await page.screenshot({ path: 'test-results/screenshots/model.png', fullPage: true });
});
