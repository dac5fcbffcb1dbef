/**
 * The sample's masks on the ground: every image (modality × date) of the sample resampled onto one ground raster —
 * visible, masked or partly masked — and how many images see each cell, with the share of the ground at least one
 * visible token covers. For anchor-aware masking the anchor image is marked: the other images should hide more where
 * it is visible and less where it is hidden, which this view makes checkable by eye.
 */
import { useEffect, useRef } from 'react';
import { inspectOverlayPixels, type InspectOverlayMeta } from '../../../store/inspectSlice';
import { drawTile } from '../../canvas/tiles';
import { ColorLegend } from './ColorLegend';

function OverlayCanvas({ rgba, index, cols, rows, label, testId }: { rgba: Uint8ClampedArray<ArrayBuffer>; index: number; cols: number; rows: number; label: string; testId: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current) drawTile(ref.current, rgba, index, cols, rows);
  }, [rgba, index, cols, rows]);
  return <canvas ref={ref} role="img" aria-label={label} data-testid={testId} style={{ aspectRatio: `${cols} / ${rows}` }} />;
}

export function MaskOverlayPanel({ overlay, note, runId }: { overlay: InspectOverlayMeta | null; note: string | null; runId: number }) {
  const px = inspectOverlayPixels();
  return (
    <section className="ins-overlay card" aria-labelledby="ins-overlay-title" data-testid="overlay-panel" data-run={runId}>
      <h3 id="ins-overlay-title">Masks on the ground</h3>
      {!overlay || !px ? (
        <p className="muted small">{note ?? 'No ground overlay for this sample.'}</p>
      ) : (
        <>
          <p className="muted small">
            Each image of the sample (modality × date) on one ground raster of {overlay.rows}×{overlay.cols} cells of {Math.round(overlay.cellMetres[0])} m:
            what its visible tokens show the encoder. <strong data-testid="overlay-coverage">{Math.round(overlay.coverage * 100)} %</strong> of the ground
            is seen by at least one visible token.
            {overlay.anchor && (
              <>
                {' '}
                Anchor image: <strong data-testid="overlay-anchor">{overlay.anchor.modality} {overlay.anchor.date}</strong>.
              </>
            )}
          </p>
          <div className="ins-overlay-body">
            <figure className="ins-overlay-seen">
              <OverlayCanvas rgba={px.seen} index={0} cols={overlay.cols} rows={overlay.rows} label="Number of images seeing each ground cell" testId="overlay-seen" />
              <ColorLegend title="Images seeing the cell" scale={overlay.seen} />
            </figure>
            <div>
              <ul className="ins-overlay-key small" aria-label="Colour key">
                <li>
                  <span className="ins-chip ins-chip-visible" aria-hidden="true" /> visible
                </li>
                <li>
                  <span className="ins-chip ins-chip-masked" aria-hidden="true" /> masked
                </li>
                <li>
                  <span className="ins-chip ins-chip-partly" aria-hidden="true" /> partly masked (band groups differ)
                </li>
              </ul>
              <div className="ins-overlay-images">
                {overlay.images.map((im, i) => (
                  <figure key={`${im.modality}-${im.t}`} className={`ins-overlay-image${im.isAnchor ? ' is-anchor' : ''}`}>
                    <OverlayCanvas
                      rgba={px.images}
                      index={i}
                      cols={overlay.cols}
                      rows={overlay.rows}
                      label={`${im.modality} ${im.date}: ${Math.round(im.maskedRatio * 100)} % masked${im.isAnchor ? ', anchor' : ''}`}
                      testId="overlay-image"
                    />
                    <figcaption className="small">
                      {im.isAnchor && <strong>anchor · </strong>}
                      {im.modality} {im.date}
                      <span className="muted"> · {Math.round(im.maskedRatio * 100)} %</span>
                    </figcaption>
                  </figure>
                ))}
              </div>
            </div>
          </div>
        </>
      )}
    </section>
  );
}
