/**
 * Where label files come in: drop them (or a folder of them) here, or pick them with the button. Label rasters are
 * GeoTIFFs of class ids (e.g. Landsat Fmask files); per-tile labels are one CSV or JSON file. Dropping never removes
 * the loaded data or model; a file that cannot be used is listed with the reason and the labels already accepted stay.
 */
import { useRef } from 'react';
import { useStudioStore } from '../../../store';
import { collectInput, skippedNote } from '../data/collectFiles';
import { useFileDrop } from '../data/useFileDrop';

export function LabelDropZone() {
  const add = useStudioStore((s) => s.addLabelFiles);
  const busy = useStudioStore((s) => s.evaluate.labelsBusy);
  const { over, handlers } = useFileDrop(add);
  const input = useRef<HTMLInputElement>(null);

  return (
    <div
      className={`ev-drop${over ? ' is-over' : ''}`}
      data-testid="label-dropzone"
      {...handlers}
    >
      <div>
        <strong>Drop label files here</strong>
        <div className="muted small">
          GeoTIFF rasters of class ids aligned with the images by footprint (one per date is matched by date, e.g. Landsat Fmask files), or one
          CSV/JSON of per-tile labels (<code>key,label</code>; key = tile id, location or file name). Nodata pixels are not a class.
        </div>
      </div>
      <button type="button" className="btn" disabled={busy} onClick={() => input.current?.click()}>
        {busy ? 'Reading labels…' : 'Choose label files…'}
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        accept=".tif,.tiff,.gtif,.gtiff,.csv,.tsv,.txt,.json,image/tiff,text/csv,application/json"
        data-testid="label-input"
        onChange={(e) => {
          const c = collectInput(e.currentTarget.files);
          e.currentTarget.value = '';
          void add(c.files, skippedNote(c.skipped));
        }}
      />
    </div>
  );
}
