/**
 * One rendered preview tile on a canvas. The RGBA bytes come from the data slice's non-reactive tile cache (never
 * from state); the state only says when the preview is ready. Transparent pixels (nodata) show the checkerboard
 * behind the canvas.
 */
import { useEffect, useRef } from 'react';
import { useStudioStore } from '../../../store';
import { previewTiles } from '../../../store/dataSlice';

export function PreviewCanvas({ previewKey, index, label, className }: { previewKey: string | null; index: number; label: string; className?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const status = useStudioStore((s) => (previewKey ? s.data.previews[previewKey]?.status : undefined));
  const error = useStudioStore((s) => (previewKey ? s.data.previews[previewKey]?.error : null));

  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !previewKey || status !== 'ready') return;
    const tile = previewTiles(previewKey)?.[index];
    if (!tile) return;
    canvas.width = tile.width;
    canvas.height = tile.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    // Copy: an ImageData must own its bytes, and the cached tile may be drawn again later.
    ctx.putImageData(new ImageData(new Uint8ClampedArray(tile.rgba), tile.width, tile.height), 0, 0);
  }, [previewKey, index, status]);

  return (
    <div className={`dm-preview-canvas${className ? ` ${className}` : ''}`} data-status={status ?? 'none'}>
      <canvas ref={ref} role="img" aria-label={label} width={1} height={1} />
      {status === 'loading' && <span className="dm-preview-overlay muted small">rendering…</span>}
      {status === 'error' && (
        <span className="dm-preview-overlay error small" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
