// The issue's verification of the whole studio, end to end in the built app (Debian Chromium, SwiftShader WebGPU):
// drop real files (the Sentinel-2 13-band stack and six Landsat scene folders from ../shared/data, never copied) →
// they are recognised correctly → train 5 steps of the tiny preset → the loss is finite and drawn in the chart → the
// reconstruction grid shows non-constant images for every band group and date → moving the masking-ratio slider
// changes the number of masked patches shown → a ratio sweep plots → save a checkpoint, reload the page and load it
// back → a corrupted file shows its message while the loaded data and the model stay usable. A screenshot of each
// panel is kept in test-results/screenshots/studio-*.png.
// On a software adapter most of the time goes to compiling the kernels (once per page load) and to the training
// steps themselves; every wait below is on real state (window.__studio), never on a sleep.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { InspectState } from '../src/store/inspectSlice';
import type { TrainUiState } from '../src/store/trainSlice';
import { expect, test, waitForAdapter } from './fixtures';

const DATA = path.resolve(process.cwd(), '../shared/data');
const S2 = path.join(DATA, 'sentinel2-l1c-T33UUU-20170216/S2A_MSIL1C_20170216T102101_T33UUU_13bands_10m.tif');
const LANDSAT = path.join(DATA, 'landsat-lsts-105dates');
/** The first six scene folders of the Landsat series (2008), each with b3, b4, b5 and its Fmask. */
const SCENES = readdirSync(LANDSAT).sort().slice(0, 6);
const LANDSAT_FILES = SCENES.flatMap((s) => ['b3', 'b4', 'b5', 'fmask'].map((b) => path.join(LANDSAT, s, `${s}_${b}.tif`)));
const SHOTS = 'test-results/screenshots';
const STEPS = 5;

interface DataView {
  pending: number;
  summary: {
    counts: { files: number; failed: number };
    files: ({ ok: true; path: string; sensor: string; bands: string[]; dateText: string | null; role: string; modality: string } | { ok: false; path: string; error: string })[];
    dataset: { ready: boolean; modalities: { name: string; T: number }[] } | null;
  } | null;
}

interface StudioWindow {
  __studio: { getState(): { data: DataView; train: TrainUiState; inspect: InspectState; model: { checking: boolean; problems: string[] } } };
}

const state = <T,>(page: Page, pick: (s: ReturnType<StudioWindow['__studio']['getState']>) => T): Promise<T> =>
  page.evaluate(`(${pick.toString()})(window.__studio.getState())`) as Promise<T>;
const data = (page: Page) => state(page, (s) => s.data);
const train = (page: Page) => state(page, (s) => s.train);
const inspect = (page: Page) => state(page, (s) => s.inspect);

/** Waits until the data worker is idle and the dataset can produce samples. */
async function dataReady(page: Page, files: number, failed = 0) {
  await expect
    .poll(async () => {
      const d = await data(page);
      return { idle: d.pending === 0, files: d.summary?.counts.files, failed: d.summary?.counts.failed, ready: d.summary?.dataset?.ready };
    }, { timeout: 120_000 })
    .toEqual({ idle: true, files, failed, ready: true });
}

/** Drops files on the Data section's drop zone as a user would: a DataTransfer of File objects built in the page. */
async function dropFiles(page: Page, files: { name: string; bytes: Buffer }[]) {
  const dt = await page.evaluateHandle((list) => {
    const d = new DataTransfer();
    for (const f of list) {
      const bin = atob(f.b64);
      const buf = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) buf[i] = bin.charCodeAt(i);
      d.items.add(new File([buf], f.name, { type: 'image/tiff' }));
    }
    return d;
  }, files.map((f) => ({ name: f.name, b64: f.bytes.toString('base64') })));
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: dt });
}

/** Loads the real files: the S2 stack dropped on the drop zone, the Landsat scenes through the file picker. */
async function loadRealData(page: Page) {
  await dropFiles(page, [{ name: path.basename(S2), bytes: readFileSync(S2) }]);
  await dataReady(page, 1);
  await page.getByTestId('file-input').setInputFiles(LANDSAT_FILES);
  await dataReady(page, 1 + LANDSAT_FILES.length);
}

/** Waits for an inspection that satisfies `ok` and is not running any more; fails on an inspection error. */
async function inspected(page: Page, ok: (s: InspectState) => boolean, timeout = 240_000): Promise<InspectState> {
  let last: InspectState | null = null;
  await expect
    .poll(async () => {
      last = await inspect(page);
      if (last.error || last.samplesError) return `error: ${last.error ?? last.samplesError}`;
      return !last.running && last.result !== null && ok(last);
    }, { timeout })
    .toBe(true);
  return last!;
}

/** Per canvas of the grid: its view, row, date and the spread of its opaque RGB values (0 = a constant image). */
function tileSpreads(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLCanvasElement>('canvas[data-testid="inspect-tile"]')].map((c) => {
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let lo = 255;
      let hi = 0;
      let opaque = 0;
      for (let i = 0; i < px.length; i += 4) {
        if (px[i + 3] < 255) continue;
        opaque++;
        for (let k = 0; k < 3; k++) {
          lo = Math.min(lo, px[i + k]);
          hi = Math.max(hi, px[i + k]);
        }
      }
      return { view: c.dataset.view!, row: c.dataset.row!, date: Number(c.dataset.date), spread: opaque > 0 ? hi - lo : 0, opaque: opaque / (px.length / 4) };
    }),
  );
}

/** Masked patches shown, summed over the grid's band-group rows (RGB composites repeat their group's patches). */
async function maskedShown(page: Page): Promise<number> {
  const counts = await page
    .getByTestId('inspect-row')
    .evaluateAll((rows) => rows.filter((r) => !(r as HTMLElement).dataset.rowKey!.endsWith('/rgb')).map((r) => Number((r as HTMLElement).dataset.masked)));
  return counts.reduce((a, b) => a + b, 0);
}

test.beforeEach(async ({ page }) => {
  // A returning visitor: the built-in demo dataset does not load by itself over the user's files.
  await page.addInitScript(() => localStorage.setItem('eo-mae-studio.visited', 'e2e'));
});

test('the studio end to end: real files → recognised → 5 training steps → reconstructions → ratio → checkpoint → corrupted file', async ({ page, watch }) => {
  test.setTimeout(1_200_000);
  const t0 = Date.now();
  const lap = (what: string) => console.log(`[e2e] ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await page.goto('/#data');
  await waitForAdapter(page);

  // ---- Data: drop the real files; they are recognised correctly.
  await loadRealData(page);
  lap('data loaded');
  const d = (await data(page)).summary!;
  const rows = d.files.filter((f): f is Extract<typeof f, { ok: true }> => f.ok);
  const s2 = rows.find((f) => f.path.endsWith(path.basename(S2)))!;
  expect(s2).toMatchObject({ sensor: 'sentinel-2', role: 'image' });
  expect(s2.bands).toEqual(['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12']);
  expect(s2.dateText).toMatch(/^2017-02-16/);
  for (const scene of SCENES) {
    // Scene ids carry the date as year + day of year: LE7 035032 2008 118 → 2008-04-27.
    const year = Number(scene.slice(9, 13));
    const doy = Number(scene.slice(13, 16));
    const iso = new Date(Date.UTC(year, 0, doy)).toISOString().slice(0, 10);
    for (const b of ['b3', 'b4', 'b5']) {
      const f = rows.find((r) => r.path.endsWith(`${scene}_${b}.tif`))!;
      expect(f, `${scene}_${b}`).toMatchObject({ sensor: 'landsat', role: 'image' });
      expect(f.dateText).toMatch(new RegExp(`^${iso}`));
    }
    expect(rows.find((r) => r.path.endsWith(`${scene}_fmask.tif`))).toMatchObject({ role: 'mask' });
  }
  const s2Row = page.locator(`[data-testid="file-row"][data-path="${path.basename(S2)}"]`);
  await expect(s2Row.getByTestId('sensor-select')).toHaveValue('sentinel-2');
  await expect(s2Row.getByTestId('bands-cell')).toContainText('13');
  await expect(page.getByTestId('date-strip-landsat').first().getByRole('button')).toHaveCount(SCENES.length);
  await expect(page.getByTestId('dataset-modalities')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/studio-data.png`, fullPage: true });

  // ---- Model: the tiny preset and its estimate.
  await page.getByRole('tab', { name: /Model/ }).click();
  await expect(page.getByTestId('model-section')).toBeVisible();
  await expect(page.getByTestId('estimate-params')).toHaveText(/\d/);
  await expect.poll(() => state(page, (s) => !s.model.checking && s.model.problems.length === 0)).toBe(true);
  await page.screenshot({ path: `${SHOTS}/studio-model.png`, fullPage: true });

  // ---- Inspect before training: the random initial weights, clearly labelled.
  await page.getByRole('tab', { name: /Inspect/ }).click();
  let ins = await inspected(page, (s) => s.result!.weights.source === 'initial');
  await expect(page.getByTestId('inspect-weights')).toContainText('Random initial weights');
  lap(`first inspection (initial weights, ${ins.result!.ms.total.toFixed(0)} ms)`);

  // ---- Train 5 steps of the tiny preset.
  await page.getByRole('tab', { name: /Train/ }).click();
  await page.getByTestId('train-steps').fill(String(STEPS));
  await page.getByTestId('train-batch').fill('2');
  await page.getByTestId('train-validate-every').fill('0');
  await expect
    .poll(async () => {
      const t = await train(page);
      return t.settings.steps === STEPS && t.settings.batchSize === 2 && t.plan !== null && t.plan.missing.length === 0 && t.plan.problems.length === 0;
    }, { timeout: 60_000 })
    .toBe(true);
  expect((await train(page)).plan!.estimate).not.toBeNull();
  await page.getByTestId('train-start').click();
  await expect.poll(async () => (await train(page)).status.phase, { timeout: 600_000 }).toBe('done');
  lap('5 steps trained');
  const t = await train(page);
  console.log(`[e2e] losses ${t.metrics.loss.map((l) => l.toFixed(4)).join(' ')}`);
  expect(t.metrics.step).toEqual([1, 2, 3, 4, 5]);
  for (const l of [...t.metrics.loss, ...t.metrics.modality.flat()]) expect(Number.isFinite(l)).toBe(true);
  // The loss is drawn: the chart reports every step and its canvas holds the loss series' colour (#4fd1c5).
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', String(STEPS));
  const teal = await page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid="loss-chart"] canvas')!;
    const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (Math.abs(px[i] - 0x4f) < 24 && Math.abs(px[i + 1] - 0xd1) < 24 && Math.abs(px[i + 2] - 0xc5) < 24 && px[i + 3] > 200) n++;
    return n;
  });
  expect(teal).toBeGreaterThan(20);
  await page.getByTestId('loss-chart').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/studio-train.png`, fullPage: true });

  // ---- Inspect the trained weights: every band group and date shows non-constant images.
  await page.getByRole('tab', { name: /Inspect/ }).click();
  ins = await inspected(page, (s) => s.result!.weights.source === 'trained' && s.result!.weights.step === STEPS);
  lap(`inspection of step ${STEPS} (${ins.result!.ms.total.toFixed(0)} ms)`);
  await expect(page.getByTestId('inspect-weights')).toContainText(`after ${STEPS} training steps`);
  const meta = ins.result!;
  const spreads = await tileSpreads(page);
  for (const mod of meta.modalities) {
    expect(mod.rows.filter((r) => r.kind === 'group').length).toBeGreaterThanOrEqual(1);
    for (const row of mod.rows) {
      for (let date = 0; date < mod.T; date++) {
        for (const view of ['input', 'masked', 'reconstruction', 'target', 'error']) {
          const tile = spreads.find((s) => s.row === row.key && s.date === date && s.view === view);
          expect(tile, `${row.key} date ${date} ${view}`).toBeDefined();
          if (view !== 'error') expect(tile!.spread, `${row.key} date ${date} ${view} is constant`).toBeGreaterThan(0);
        }
      }
    }
  }
  console.log(`[e2e] grid: ${meta.modalities.map((m) => `${m.name} ${m.rows.length} row(s) × ${m.T} date(s)`).join(', ')}; ${spreads.length} tiles, all non-constant`);
  expect(Number.isFinite(meta.loss)).toBe(true);
  // The masks on the ground: one map per image (modality × date) and the coverage.
  await expect(page.getByTestId('overlay-image')).toHaveCount(meta.modalities.reduce((a, m) => a + m.T, 0));
  await expect(page.getByTestId('overlay-coverage')).toHaveText(/^\d+ %$/);

  // Hover: pixel values, the patch's position, date and band group.
  const firstRow = meta.modalities[0].rows[0];
  await page.locator(`canvas[data-testid="inspect-tile"][data-view="reconstruction"][data-row="${firstRow.key}"][data-date="0"]`).hover({ position: { x: 5, y: 5 } });
  const tip = page.getByTestId('inspect-tooltip');
  await expect(tip).toContainText('patch row 0, col 0');
  await expect(tip).toContainText(meta.modalities[0].dates[0]);
  await expect(tip).toContainText(firstRow.label);
  await expect(tip.getByRole('row')).toHaveCount(1 + firstRow.bands.length);
  await page.screenshot({ path: `${SHOTS}/studio-inspect-hover.png` });
  await page.mouse.move(0, 0);
  await expect(tip).toHaveCount(0);
  // The same details from the keyboard: a row is one tab stop; arrows move the probed pixel, Shift+→ the date.
  const grid = page.locator(`[data-testid="inspect-row"][data-row-key="${firstRow.key}"] [role="group"]`);
  await grid.focus();
  await page.keyboard.press('ArrowDown');
  await expect(tip).toContainText('pixel x 0, y 1');
  if (meta.modalities[0].T > 1) {
    await page.keyboard.press('Shift+ArrowRight');
    await expect(tip).toContainText(`Date 2 of ${meta.modalities[0].T}: ${meta.modalities[0].dates[1]}`);
  }
  await page.keyboard.press('Escape');
  await expect(tip).toHaveCount(0);

  // The ratio slider (keyboard: Home = the lowest ratio) re-runs the model; the masked patches shown follow it.
  const before = await maskedShown(page);
  expect(before).toBe(meta.modalities.flatMap((m) => m.rows.filter((r) => r.kind === 'group')).reduce((a, r) => a + r.maskedPerDate.reduce((x, y) => x + y, 0), 0));
  const slider = page.getByTestId('inspect-ratio');
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('inspect-ratio-value')).toHaveText('5 %');
  ins = await inspected(page, (s) => s.result!.ratio === 0.05);
  const after = await maskedShown(page);
  console.log(`[e2e] masked patches shown: ${before} at ratio ${meta.ratio} → ${after} at ratio 0.05 (answered in ${ins.result!.ms.total.toFixed(0)} ms)`);
  expect(after).toBeLessThan(before);
  for (const g of ins.result!.groups) expect(g.masked).toBe(Math.round(0.05 * g.N));
  await expect(page.getByTestId('inspect-masked-count')).toHaveAttribute('data-masked', String(ins.result!.maskedTokens));
  for (let i = 0; i < 50; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('inspect-ratio-value')).toHaveText('55 %');
  await inspected(page, (s) => s.result!.ratio === 0.55);
  expect(await maskedShown(page)).toBeGreaterThan(after);
  await page.screenshot({ path: `${SHOTS}/studio-inspect.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${SHOTS}/studio-inspect-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });

  // A small ratio sweep (4 ratios × 1 tile × 1 draw) with progress, plotted.
  await page.getByTestId('sweep-points').selectOption('4');
  await page.getByTestId('sweep-tiles').fill('1');
  await page.getByTestId('sweep-draws').selectOption('1');
  await page.getByTestId('sweep-run').click();
  await expect(page.getByTestId('sweep-progress')).toBeVisible();
  await expect.poll(async () => (await inspect(page)).sweep.running, { timeout: 300_000 }).toBe(false);
  const sweep = (await inspect(page)).sweep;
  expect(sweep.error).toBeNull();
  expect(sweep.points.map((p) => p.ratio)).toEqual([0.25, 0.5, 0.75, 0.9]);
  for (const p of sweep.points) expect(Number.isFinite(p.mean)).toBe(true);
  await expect(page.getByTestId('sweep-chart')).toHaveAttribute('data-points', '4');
  lap('ratio sweep done');
  await page.getByTestId('sweep-panel').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/studio-inspect-sweep.png`, fullPage: true });

  // ---- Export: save a checkpoint, reload the page, bring the data back and load the checkpoint.
  await page.getByRole('tab', { name: /Export/ }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('checkpoint-save').click()]);
  const ckpt = path.join(test.info().outputDir, download.suggestedFilename());
  await download.saveAs(ckpt);
  expect(download.suggestedFilename()).toBe(`eo-mae-tiny-step${STEPS}.safetensors`);
  await page.screenshot({ path: `${SHOTS}/studio-export.png`, fullPage: true });

  await page.reload();
  await waitForAdapter(page);
  await page.getByRole('tab', { name: /Data/ }).click();
  await loadRealData(page);
  await page.getByRole('tab', { name: /Export/ }).click();
  await page.getByTestId('checkpoint-file').setInputFiles(ckpt);
  await expect(page.getByTestId('export-notice-loadCheckpoint')).toBeVisible();
  // A checkpoint of a finished run arrives finished (a partial one would arrive paused), at its step.
  await expect.poll(async () => (await train(page)).status.step, { timeout: 120_000 }).toBe(STEPS);
  const restored = (await train(page)).status.phase;
  expect(['paused', 'done']).toContain(restored);
  lap('checkpoint reloaded');
  await page.getByRole('tab', { name: /Inspect/ }).click();
  ins = await inspected(page, (s) => s.result!.weights.source === 'trained' && s.result!.weights.step === STEPS);
  // The restored weights are the saved ones: the same sample, ratio and mask draw give the same loss as before.
  expect(ins.result!.ratio).toBe(meta.ratio);
  expect(ins.result!.maskSeed).toBe(meta.maskSeed);
  expect(Math.abs(ins.result!.loss - meta.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(meta.loss));

  // ---- A corrupted file: its message is shown on its row; the loaded data and the model stay usable.
  await page.getByRole('tab', { name: /Data/ }).click();
  await dropFiles(page, [{ name: 'LE70350322009072EDC00_b3_truncated.tif', bytes: readFileSync(LANDSAT_FILES[0]).subarray(0, 400) }]);
  await dataReady(page, 2 + LANDSAT_FILES.length, 1);
  const bad = page.locator('[data-testid="file-row"][data-ok="false"]');
  await expect(bad).toHaveCount(1);
  await expect(bad.getByTestId('file-error')).toContainText('LE70350322009072EDC00_b3_truncated.tif');
  await expect(s2Row.getByTestId('sensor-select')).toHaveValue('sentinel-2');
  await page.screenshot({ path: `${SHOTS}/studio-data-corrupted.png`, fullPage: true });
  expect((await train(page)).status).toMatchObject({ phase: restored, step: STEPS });
  await page.getByRole('tab', { name: /Inspect/ }).click();
  const runBefore = (await inspect(page)).result?.runId ?? 0;
  await page.getByTestId('inspect-refresh').click();
  ins = await inspected(page, (s) => s.result!.runId > runBefore);
  expect(ins.result!.weights).toMatchObject({ source: 'trained', step: STEPS });
  expect(Number.isFinite(ins.result!.loss)).toBe(true);
  lap('corrupted file handled, model still usable');
  expect(watch.problems).toEqual([]);
});
