// The pre-trained encoder in the built studio (Chromium, SwiftShader WebGPU), on the initial weights of the tiny preset
// (no training: the point is the plumbing, not the features): load ../shared/data/rasterio/RGB.byte.tif → Inspect
// shows the PCA embedding map of a tile beside its input, with non-constant maps and explained variance → Export
// downloads encoder-tiny-step0.onnx, which is a well-formed opset-17 float32 ModelProto with a symbolic batch that
// onnxruntime (Node) opens → "Check in onnxruntime-web" runs it in the studio worker on the same tile and reports the
// provider, the time and max |ONNX − WGSL| ≤ 1e-4 → with the geographic encoding the card lists one geo_<group> input
// per fusion group and both buttons stay enabled. One page (each page pays the SwiftShader kernel compilation), every wait
// on real state (window.__studio); the fixture fails on console errors/warnings and on requests to other origins (ORT's
// wasm must come from the app's own origin). Screenshots: test-results/screenshots/encoder-*.png.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import * as ort from 'onnxruntime-web';
import type { EncoderUiState } from '../src/store/encoderSlice';
import type { InspectState } from '../src/store/inspectSlice';
import type { MaeConfig } from '../src/store/modelSlice';
import { readOnnxModel } from '../src/train/testing/onnxModelInfo';
import { expect, test, waitForAdapter } from './fixtures';

const RGB = path.resolve(process.cwd(), '../shared/data/rasterio/RGB.byte.tif');
const SHOTS = 'test-results/screenshots';

interface StudioState {
  data: { pending: number; summary: { dataset: { ready: boolean } | null } | null };
  inspect: InspectState;
  encoder: EncoderUiState;
  model: { checking: boolean; config: MaeConfig | null };
  editConfig(edit: (c: MaeConfig) => MaeConfig): Promise<void>;
}

const state = <T,>(page: Page, pick: (s: StudioState) => T): Promise<T> => page.evaluate(`(${pick.toString()})(window.__studio.getState())`) as Promise<T>;

/** Per PCA-panel canvas: kind (input / pca), date, the spread of its opaque RGB values and its opaque share. */
function pcaTiles(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLCanvasElement>('canvas[data-testid="pca-tile"]')].map((c) => {
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let [lo, hi, opaque] = [255, 0, 0];
      for (let i = 0; i < px.length; i += 4) {
        if (px[i + 3] < 255) continue;
        opaque++;
        for (let k = 0; k < 3; k++) [lo, hi] = [Math.min(lo, px[i + k]), Math.max(hi, px[i + k])];
      }
      return { kind: c.dataset.kind!, date: Number(c.dataset.date), spread: opaque > 0 ? hi - lo : 0, opaque: opaque / (px.length / 4) };
    }),
  );
}

test('the encoder in the studio: PCA map in Inspect, ONNX download and onnxruntime-web check in Export', async ({ page, watch }) => {
  const t0 = Date.now();
  const lap = (what: string) => console.log(`[e2e encoder] ${((Date.now() - t0) / 1000).toFixed(1)} s  ${what}`);
  await page.addInitScript(() => localStorage.setItem('eo-mae-studio.visited', 'e2e'));
  await page.goto('/#data');
  await waitForAdapter(page);
  await page.getByTestId('file-input').setInputFiles(RGB);
  await expect.poll(() => state(page, (s) => s.data.pending === 0 && Boolean(s.data.summary?.dataset?.ready)), { timeout: 60_000 }).toBe(true);
  lap('data loaded');

  // Inspect: the tile nearest the middle of the scene (its rotated frame leaves the corners nodata), then its PCA map.
  await page.getByRole('tab', { name: /Inspect/ }).click();
  await expect.poll(() => state(page, (s) => s.inspect.samples?.tiles.length ?? 0), { timeout: 60_000 }).toBeGreaterThan(0);
  const tiles = (await state(page, (s) => s.inspect.samples!.tiles)).map((t) => {
    const m = /x (\d+), y (\d+)/.exec(t.label)!;
    return { index: t.index, x: Number(m[1]), y: Number(m[2]) };
  });
  const mid = (k: 'x' | 'y') => (Math.min(...tiles.map((t) => t[k])) + Math.max(...tiles.map((t) => t[k]))) / 2;
  const { index } = tiles.reduce((a, t) => (Math.hypot(t.x - mid('x'), t.y - mid('y')) < Math.hypot(a.x - mid('x'), a.y - mid('y')) ? t : a));
  await page.getByTestId('inspect-sample-select').selectOption(`tile:${index}`);
  await page.getByTestId('pca-compute').click();
  await expect(page.getByTestId('pca-progress').or(page.getByTestId('pca-result'))).toBeVisible();
  await expect
    .poll(async () => {
      const p = await state(page, (s) => s.encoder.pca);
      return p.error ? `error: ${p.error}` : !p.running && p.result !== null && JSON.stringify(p.result.sample) === JSON.stringify({ kind: 'tile', index });
    }, { timeout: 180_000 })
    .toBe(true);
  const pca = (await state(page, (s) => s.encoder.pca.result))!;
  lap(`PCA map of ${pca.sampleLabel}: ${pca.tokens} tokens × ${pca.width}, encoder ${pca.ms.encoder.toFixed(0)} ms, PCA ${pca.ms.pca.toFixed(0)} ms`);
  expect(pca.weights.source).toBe('initial');
  await expect(page.getByTestId('pca-facts')).toContainText('random initial weights');
  const canvases = await pcaTiles(page);
  const dates = pca.modalities.reduce((a, m) => a + m.T, 0);
  expect(canvases.filter((c) => c.kind === 'input')).toHaveLength(dates);
  expect(canvases.filter((c) => c.kind === 'pca')).toHaveLength(pca.modalities.reduce((a, m) => a + m.T * m.groups.length, 0));
  for (const c of canvases) {
    expect(c.spread, `${c.kind} tile of date ${c.date} is constant`).toBeGreaterThan(0);
    if (c.kind === 'pca') expect(c.opaque).toBe(1);
  }
  expect(Math.max(...canvases.filter((c) => c.kind === 'input').map((c) => c.opaque))).toBeGreaterThan(0.5);
  const explained = pca.modalities[0].groups[0].explained[0];
  console.log(`[e2e encoder] explained variance PC1..3: ${explained.map((x) => (x * 100).toFixed(1)).join(' / ')} %`);
  expect(explained[0]).toBeGreaterThan(0);
  await expect(page.getByTestId('pca-explained').first()).toContainText(`${Math.round(explained[0] * 100)}`);
  await page.getByTestId('pca-panel').screenshot({ path: `${SHOTS}/encoder-pca.png` });

  // Export: the ONNX download of the initial weights.
  await page.getByRole('tab', { name: /Export/ }).click();
  const download = page.getByTestId('onnx-download');
  await expect(download).toBeEnabled({ timeout: 30_000 });
  await expect(page.getByTestId('onnx-weights')).toHaveAttribute('data-source', 'initial');
  const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
  expect(file.suggestedFilename()).toBe('encoder-tiny-step0.onnx');
  const saved = path.join(test.info().outputDir, file.suggestedFilename());
  await file.saveAs(saved);
  const bytes = new Uint8Array(readFileSync(saved));
  const model = readOnnxModel(bytes);
  lap(`downloaded ${file.suggestedFilename()}: ${bytes.length} bytes, IR ${model.irVersion}, opset ${model.opsets.map((o) => o.version).join(',')}, ${model.nodes} nodes`);
  expect(model.opsets.find((o) => o.domain === '')!.version).toBeGreaterThanOrEqual(17);
  expect(model.producer).toBe('eo-mae-studio');
  for (const v of [...model.inputs, ...model.outputs]) {
    expect(v.elemType).toBe(1); // float32
    expect(v.shape[0]).toBe('batch');
  }
  await expect(page.getByTestId('onnx-exported')).toContainText('encoder-tiny-step0.onnx');
  // onnxruntime (its Node build, here in the test process) opens the file as it is.
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  expect(session.inputNames).toEqual(model.inputs.map((i) => i.name));
  expect(session.outputNames).toEqual(model.outputs.map((o) => o.name));
  await session.release();

  // The check in onnxruntime-web, in the studio worker, on the Inspect tile.
  await page.getByTestId('onnx-check').click();
  await expect(page.getByTestId('onnx-check-progress')).toBeVisible();
  await expect
    .poll(async () => {
      const o = await state(page, (s) => s.encoder.onnx);
      return o.checkError ? `error: ${o.checkError}` : !o.checking && o.check !== null;
    }, { timeout: 180_000 })
    .toBe(true);
  const check = (await state(page, (s) => s.encoder.onnx.check))!;
  lap(
    `onnxruntime-web ${check.ortVersion} on ${check.provider}${check.fallbacks.length ? ` (fell back: ${check.fallbacks.map((f) => f.error).join('; ')})` : ''}: max |ONNX − WGSL| ${check.maxAbsDiff.toExponential(2)}; ` +
      `session ${check.ms.session.toFixed(0)} ms, first run ${check.ms.firstRun.toFixed(0)} ms, warm run ${check.ms.warmRun.toFixed(0)} ms, WGSL ${check.ms.wgsl.toFixed(0)} ms, ORT load ${check.ms.load.toFixed(0)} ms`,
  );
  expect(check.sampleLabel).toBe(pca.sampleLabel);
  expect(['webgpu', 'wasm']).toContain(check.provider);
  expect(check.maxAbsDiff).toBeLessThanOrEqual(1e-4);
  expect(check.pass).toBe(true);
  await expect(page.getByTestId('onnx-check-result')).toHaveAttribute('data-pass', 'true');
  await expect(page.getByTestId('onnx-provider')).toContainText(check.provider === 'webgpu' ? 'WebGPU' : 'WebAssembly');
  await expect(page.getByTestId('onnx-max-diff')).toHaveText(check.maxAbsDiff.toExponential(2));
  await page.getByTestId('onnx-card').screenshot({ path: `${SHOTS}/encoder-onnx.png` });

  // The geographic encoding (A²-MAE-style) exports too: one geo_<group> input per fusion group appears on the card.
  await page.evaluate(() => (window as unknown as { __studio: { getState(): StudioState } }).__studio.getState().editConfig((c) => ({ ...c, geoEncoding: 'gsd' })));
  await expect(page.getByTestId('onnx-signature')).toContainText('geo_');
  await expect(page.getByTestId('onnx-refusal')).toHaveCount(0);
  await expect(download).toBeEnabled();
  await expect(page.getByTestId('onnx-check')).toBeEnabled();
  await page.getByTestId('onnx-card').screenshot({ path: `${SHOTS}/encoder-onnx-geo.png` });
  await page.evaluate(() => (window as unknown as { __studio: { getState(): StudioState } }).__studio.getState().editConfig((c) => ({ ...c, geoEncoding: 'off' })));
  await expect(page.getByTestId('onnx-signature')).not.toContainText('geo_');
  lap('geographic encoding: geo inputs listed, export enabled');
  expect(watch.foreignRequests).toEqual([]);
});
