// The ablation runner end to end on the tiny preset and real data (Node only: reads ../shared/data): two variants
// (patch-group vs no target normalisation) × two seeds, a few pre-training steps each on 4-date, 16 px samples of the
// first 16 Landsat acquisitions, a linear probe on their Fmask labels; then the summary, table and chart. Checks that every run
// finished with finite scores on the same held-out split and that the summary is consistent with the runs.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../data/testing/sharedData';
import { gpuCase } from '../gpu/testing/harness';
import { asciiChart, formatSummaryTable, parseExperiment, prepareExperiment, runExperiment, summarize } from './experiment';
import { loadImages, loadLabels } from './nodeInputs';

describe('ablation experiment on the tiny preset', () => {
  it('runs a two-variant, two-seed ablation and summarises it', async () => {
    const t0 = performance.now();
    // Tiny data: the first 16 acquisitions of the series (scene folders), every one embedded (4 chunks of 4 dates).
    const scenes = readdirSync(path.join(SHARED_DATA, 'landsat-lsts-105dates')).sort().slice(0, 16).map((d) => `landsat-lsts-105dates/${d}`);
    const spec = parseExperiment(
      JSON.stringify({
        name: 'ci target norm',
        data: scenes,
        labels: { path: scenes, match: 'fmask' },
        dataset: { sampleMeters: 480, numDates: 4, patchSize: 4 },
        model: { preset: 'tiny' },
        pretrain: { steps: 6, batch: 2, lr: 1e-3 },
        probe: { heads: ['linear'], steps: 60, batch: 64, lr: 3e-3, allDates: true },
        seeds: [0, 1],
        variants: [{ targetNorm: 'patch-group' }, { targetNorm: 'none' }],
      }),
      (p) => path.join(SHARED_DATA, p),
    );
    expect(spec.variants.map((v) => v.name)).toEqual(['targetNorm=patch-group', 'targetNorm=none']);
    const labels = await loadLabels(spec.labels.path, spec.labels);
    const { data } = await loadImages(spec.data, labels.files);
    const inputs = await prepareExperiment(spec, data, labels.labels);
    expect(inputs.samples).toHaveLength(4 * 9); // 4 date chunks × 3 × 3 tiles of 16 px in the 61 px scene
    const results = await gpuCase(({ device }) => runExperiment(device, spec, inputs));
    expect(results.map((r) => `${r.variant}/${r.seed}`)).toEqual(['targetNorm=patch-group/0', 'targetNorm=patch-group/1', 'targetNorm=none/0', 'targetNorm=none/1']);
    expect(results[0].report.task.classNames.length).toBeGreaterThan(2); // a real task: clear, cloud, snow, …
    for (const r of results) {
      expect(Number.isFinite(r.pretrain.lastLoss)).toBe(true);
      expect(r.report.split).toEqual(results[0].report.split); // same held-out sets for every run
      expect(r.report.heads[0].score).toBeGreaterThanOrEqual(0);
      expect(r.report.heads[0].score).toBeLessThanOrEqual(1);
    }
    const summary = summarize(
      results,
      spec.variants.map((v) => v.name),
    );
    expect(summary).toHaveLength(2);
    const scores = results.filter((r) => r.variant === 'targetNorm=none').map((r) => r.report.heads[0].score);
    expect(summary[1].mean).toBeCloseTo((scores[0] + scores[1]) / 2, 12);
    expect(summary[1].std).toBeCloseTo(Math.abs(scores[0] - scores[1]) / Math.SQRT2, 12);
    console.log(`${formatSummaryTable(summary)}\n\n${asciiChart(summary)}\n[experiment] ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  });
});
