// The Evaluate section in the built studio (Chromium, SwiftShader WebGPU), on real files: b3/b4/b5 of the first four
// Landsat acquisitions of ../shared/data/landsat-lsts-105dates (never copied) are the data, their Fmask rasters the
// labels. The labels are recognised (a dated Fmask series aligned with all four images) and a broken file is refused
// by name; a short linear probe on the initial weights shows accuracy, mIoU, the per-class table and the confusion
// heatmap; a two-variant ablation (target normalisation patch-group vs none, 1 seed, 2 pre-training steps) shows its
// table and chart. One page on purpose: each page pays the kernel compilation on SwiftShader (~30 s) once.
// Screenshots go to test-results/screenshots/evaluate-*.png.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { ProbeUiState } from '../src/store/probeSlice';
import { expect, test, waitForAdapter } from './fixtures';

const LANDSAT = path.resolve(process.cwd(), '../shared/data/landsat-lsts-105dates');
const SCENES = readdirSync(LANDSAT).sort().slice(0, 4);
const IMAGES = SCENES.flatMap((s) => ['b3', 'b4', 'b5'].map((b) => path.join(LANDSAT, s, `${s}_${b}.tif`)));
const MASKS = SCENES.map((s) => path.join(LANDSAT, s, `${s}_fmask.tif`));
const SHOTS = 'test-results/screenshots';

interface StudioWindow {
  __studio: { getState(): { evaluate: ProbeUiState; data: { pending: number; summary: { counts: { files: number }; dataset: { ready: boolean } | null } | null } } };
}

const evaluate = (page: Page) => page.evaluate(() => (window as unknown as StudioWindow).__studio.getState().evaluate);

test('labels are recognised, a probe scores them and an ablation compares two variants', async ({ page, watch }) => {
  const t0 = Date.now();
  const lap = (what: string) => console.log(`[e2e evaluate] ${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await page.addInitScript(() => localStorage.setItem('eo-mae-studio.visited', 'e2e'));
  await page.goto('/#data');
  await waitForAdapter(page);
  await page.getByTestId('file-input').setInputFiles(IMAGES);
  await expect
    .poll(() => page.evaluate(() => {
      const d = (window as unknown as StudioWindow).__studio.getState().data;
      return d.pending === 0 && d.summary?.counts.files === 12 && Boolean(d.summary.dataset?.ready);
    }), { timeout: 60_000 })
    .toBe(true);
  lap('data loaded');

  // ---- labels: the four Fmask rasters and one broken file
  await page.getByRole('tab', { name: /Evaluate/ }).click();
  await expect(page.getByTestId('evaluate-weights')).toHaveAttribute('data-source', 'initial');
  await expect(page.getByTestId('probe-blocked')).toContainText('Add labels');
  const files = [...MASKS.map((m) => ({ name: path.basename(m), mimeType: 'image/tiff', buffer: readFileSync(m) })), { name: 'broken_fmask.tif', mimeType: 'image/tiff', buffer: Buffer.from('not a tiff at all') }];
  await page.getByTestId('label-input').setInputFiles(files);
  const summary = page.getByTestId('labels-summary');
  await expect(summary).toHaveAttribute('data-dated', 'true');
  await expect(summary).toContainText('4 label rasters, recognised as Landsat Fmask cloud masks');
  await expect(summary).toContainText('Aligned with 4 of 4 loaded acquisitions');
  await expect(page.getByTestId('labels-problems')).toContainText('broken_fmask.tif');
  const classes = Number(await summary.getAttribute('data-classes'));
  expect(classes).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('labels-classes').locator('tbody tr')).toHaveCount(classes);
  lap(`labels: ${classes} classes, ${await summary.getAttribute('data-labelled')} labelled pixels`);

  // ---- probe: linear, a few steps, on the initial weights
  // Four of the nine tiles (spread over the scene) keep the SwiftShader forward passes short.
  await page.getByTestId('probe-tiles').fill('4');
  await page.getByTestId('probe-steps').fill('40');
  await page.getByTestId('probe-run').click();
  await expect(page.getByTestId('probe-progress')).toBeVisible();
  const head = page.getByTestId('probe-head-linear');
  await expect(head).toBeVisible({ timeout: 120_000 });
  const probe = (await evaluate(page)).probe.result!;
  const h = probe.report.heads[0];
  const K = probe.report.task.classNames.length;
  expect(h.single!.accuracy).toBeGreaterThan(0);
  expect(h.single!.accuracy).toBeLessThanOrEqual(1);
  await expect(head.getByTestId('probe-accuracy')).toHaveText(`${(100 * h.single!.accuracy).toFixed(1)} %`);
  await expect(head.getByTestId('probe-score')).toHaveText(`${(100 * h.score).toFixed(1)} %`);
  await expect(head.getByTestId('probe-class-table').locator('tbody tr')).toHaveCount(K);
  const matrix = head.getByTestId('confusion-matrix');
  await expect(matrix).toHaveAttribute('data-classes', String(K));
  await expect(matrix).toHaveAttribute('data-total', String(probe.report.split.test));
  await expect(matrix.locator('svg rect')).toHaveCount(K * K);
  for (const name of probe.report.task.classNames) await expect(matrix.locator('svg')).toContainText(name);
  await expect(head.getByTestId('confusion-legend')).toBeVisible();
  await page.getByTestId('probe-panel').screenshot({ path: `${SHOTS}/evaluate-probe.png` });
  lap(`probe: ${probe.tiles} tiles, ${probe.report.split.test} held-out sets, accuracy ${(100 * h.single!.accuracy).toFixed(1)} %, mIoU ${(100 * h.score).toFixed(1)} % (chance ${(100 * probe.report.chance!.mIoU).toFixed(1)} %), ${(probe.ms.totalMs / 1000).toFixed(1)} s in the worker`);

  // ---- ablation: patch-group (the model's own) vs none, 1 seed, 2 pre-training steps. "Per patch" is not offered:
  // with one normalisation group per token it is the same target as the base.
  await expect(page.getByTestId('ablate-targetNorm-patch')).toBeDisabled();
  await page.getByTestId('ablate-targetNorm-none').check();
  await page.getByTestId('ablation-pretrain-steps').fill('2');
  await page.getByTestId('ablation-batch').fill('1');
  await page.getByTestId('ablation-probe-steps').fill('20');
  await expect(page.getByTestId('ablation-run')).toContainText('2 variants × 1 seed = 2 runs');
  await page.getByTestId('ablation-run').click();
  await expect(page.getByTestId('experiment-progress')).toBeVisible();
  await expect(page.getByTestId('ablation-result')).toBeVisible({ timeout: 180_000 });
  const ex = (await evaluate(page)).experiment.result!;
  expect(ex.cancelled).toBe(false);
  expect(ex.summary.map((s) => s.variant)).toEqual(['base', 'targetNorm=none']);
  const rows = page.getByTestId('ablation-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toHaveAttribute('data-variant', 'targetNorm=none');
  await expect(page.getByTestId('ablation-bar')).toHaveCount(2);
  for (const s of ex.summary) expect(s.mean).toBeGreaterThanOrEqual(0);
  await page.getByTestId('ablation-panel').screenshot({ path: `${SHOTS}/evaluate-ablation.png` });
  console.log(`[e2e evaluate] probe ms ${JSON.stringify(probe.ms)} heads ${JSON.stringify(probe.report.heads.map((x) => [x.trainMs, x.evalMs]))}; runs ${JSON.stringify(ex.runs.map((r) => r.phaseMs))}`);
  lap(`ablation in ${(ex.ms / 1000).toFixed(1)} s: ${ex.summary.map((s) => `${s.variant} ${s.scoreName} ${(100 * s.mean).toFixed(1)} %`).join(', ')}`);
  expect(watch.problems).toEqual([]);
});
