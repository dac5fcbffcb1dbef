/**
 * The PCA embedding map of the Inspect sample: the encoder runs on every token (no masking) with the current weights,
 * and each token's feature vector is reduced to its first three principal components, shown as red, green and blue on
 * the token grid (upsampled to the image, nearest). Per modality and date the map sits beside the input composite, so
 * one can see which ground the encoder groups together. Tokens of similar colour have similar features; the
 * explained variance says how much of the feature variation the three colours carry.
 * Invariants: computed on request (the first time) and then again whenever the Inspect sample changes; the tiles come
 * from the store's module-level cache (`pcaPixels`), never from React state.
 */
import { useEffect, useRef } from 'react';
import { useStudioStore } from '../../../store';
import { pcaPixels, type PcaFit, type PcaModalityMeta, type PcaRunMeta } from '../../../store/encoderSlice';
import { drawTile } from '../../canvas/tiles';
import './pcaPanel.css';

const pct = (x: number) => `${Math.round(x * 100)}`;

function PcaCanvas({ pixelKey, t, W, H, label, kind, mod, group, runId }: { pixelKey: string; t: number; W: number; H: number; label: string; kind: 'input' | 'pca'; mod: string; group: number | null; runId: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const px = pcaPixels(pixelKey);
    if (ref.current && px) drawTile(ref.current, px.rgba, t, W, H);
  }, [pixelKey, t, W, H, runId]);
  return <canvas ref={ref} role="img" aria-label={label} data-testid="pca-tile" data-kind={kind} data-modality={mod} data-date={t} data-group={group ?? ''} data-run={runId} />;
}

function ModalityMaps({ mod, runId }: { mod: PcaModalityMeta; runId: number }) {
  const multi = mod.groups.length > 1;
  return (
    <div className="ins-pca-modality" data-testid="pca-modality" data-modality={mod.name}>
      <h4 className="ins-pca-title">
        {mod.name} <span className="muted small">· {mod.grid}×{mod.grid} tokens of {mod.P}×{mod.P} px per date</span>
      </h4>
      <div className="ins-pca-dates">
        {mod.dates.map((date, t) => (
          <figure key={t} className="ins-pca-date">
            <div className="ins-pca-pair">
              <div className="ins-pca-cell">
                <PcaCanvas pixelKey={mod.input.key} t={t} W={mod.W} H={mod.H} kind="input" mod={mod.name} group={null} runId={runId} label={`Input of ${mod.name} on ${date}: ${mod.input.label}`} />
                <span className="small muted">Input</span>
              </div>
              {mod.groups.map((g) => (
                <div key={g.key} className="ins-pca-cell">
                  <PcaCanvas
                    pixelKey={g.key}
                    t={t}
                    W={mod.W}
                    H={mod.H}
                    kind="pca"
                    mod={mod.name}
                    group={g.index}
                    runId={runId}
                    label={`PCA map of ${mod.name}${multi ? ` band group ${g.bands.join(' ')}` : ''} on ${date}: ${g.explained[t].map(pct).join(', ')} % of the feature variance`}
                  />
                  <span className="small muted">{multi ? `PCA · ${g.bands.join(' ')}` : 'PCA'}</span>
                  <span className="small num" data-testid="pca-explained" data-explained={g.explained[t].join(',')} title="Share of the feature variance along PC1 (red), PC2 (green), PC3 (blue)">
                    <span className="ins-chip ins-chip-r" aria-hidden="true" />
                    {pct(g.explained[t][0])} <span className="ins-chip ins-chip-g" aria-hidden="true" />
                    {pct(g.explained[t][1])} <span className="ins-chip ins-chip-b" aria-hidden="true" />
                    {pct(g.explained[t][2])} %
                  </span>
                </div>
              ))}
            </div>
            <figcaption className="small">{date}</figcaption>
          </figure>
        ))}
      </div>
      <p className="small muted">Input: {mod.input.label}.</p>
    </div>
  );
}

function Facts({ r }: { r: PcaRunMeta }) {
  return (
    <p className="small muted" data-testid="pca-facts" data-source={r.weights.source} data-step={r.weights.step}>
      {r.sampleLabel} · {r.weights.source === 'initial' ? 'random initial weights (nothing learned yet)' : `weights after ${r.weights.step} steps`} · {r.tokens} tokens of width {r.width} ·
      encoder {Math.round(r.ms.encoder)} ms, PCA {Math.round(r.ms.pca)} ms.
    </p>
  );
}

export function PcaPanel() {
  const pca = useStudioStore((s) => s.encoder.pca);
  const progress = useStudioStore((s) => s.encoder.progress.pca);
  const sample = useStudioStore((s) => s.inspect.sample);
  const compute = useStudioStore((s) => s.computePca);
  const setFit = useStudioStore((s) => s.setPcaFit);
  const trainStep = useStudioStore((s) => s.train.status.step);
  const trainRun = useStudioStore((s) => s.train.status.runId);
  const phase = useStudioStore((s) => s.train.status.phase);
  const r = pca.result;

  // Follow the Inspect sample once a map has been asked for (the first one waits for the button: it costs a forward).
  const asked = pca.requested !== null;
  const sampleChanged = asked && JSON.stringify(pca.requested) !== JSON.stringify(sample);
  useEffect(() => {
    if (sampleChanged && !pca.running) void compute();
  }, [sampleChanged, pca.running, compute]);

  // As Inspect's WeightsNote: a run with weights exists and the map shows other ones (initial, or an older step).
  const hasRun = trainRun > 0 && phase !== 'idle' && phase !== 'starting' && phase !== 'lost';
  const stale = r !== null && hasRun && (r.weights.source === 'initial' || r.weights.step !== trainStep);
  return (
    <section className="ins-pca card" aria-labelledby="ins-pca-title" data-testid="pca-panel" aria-busy={pca.running}>
      <h3 id="ins-pca-title">Embedding map (PCA)</h3>
      <p className="muted small">
        The encoder sees every patch of the sample (no masking). Each token&apos;s feature vector is reduced to its first three principal components,
        drawn as red, green and blue on the token grid beside the input: patches of similar colour have similar features.
      </p>
      <div className="ins-inline">
        <button type="button" className="btn btn-primary" data-testid="pca-compute" disabled={pca.running} onClick={() => void compute()}>
          {pca.running ? 'Computing…' : r ? 'Recompute' : 'Show the PCA map'}
        </button>
        <label className="small">
          Fit{' '}
          <select value={pca.fit} data-testid="pca-fit" onChange={(e) => setFit(e.target.value as PcaFit)} disabled={pca.running}>
            <option value="image">one PCA per image (most contrast)</option>
            <option value="series">one PCA per modality over all dates (colours comparable across dates)</option>
          </select>
        </label>
        {stale && !pca.running && (
          <span className="small ins-stale" role="status">
            Training is at step {trainStep}; recompute to see its weights.
          </span>
        )}
      </div>
      {progress && (
        <div className="ins-progress" role="status" data-testid="pca-progress">
          <progress max={progress.total} value={progress.done} aria-label={progress.stage} />
          <span className="small">{progress.stage}…</span>
        </div>
      )}
      {pca.error && (
        <p className="error" role="alert" data-testid="pca-error">
          {pca.error}
        </p>
      )}
      {r && (
        <div data-testid="pca-result" data-run={r.runId} data-fit={r.fit}>
          <Facts r={r} />
          {r.modalities.map((m) => (
            <ModalityMaps key={m.name} mod={m} runId={r.runId} />
          ))}
        </div>
      )}
    </section>
  );
}
