/**
 * Where data comes in: a drop zone for files and whole folders, plus buttons for the file picker (several files)
 * and the folder picker (webkitdirectory). Large while nothing is loaded, a slim bar afterwards. Dropping onto it
 * never removes what is loaded. Keyboard users use the two buttons (the zone itself is not a tab stop).
 */
import { useRef } from 'react';
import { useStudioStore } from '../../../store';
import { collectInput, skippedNote } from './collectFiles';
import { useFileDrop } from './useFileDrop';

export function DropZone({ compact }: { compact: boolean }) {
  const addFiles = useStudioStore((s) => s.addFiles);
  const { over, handlers } = useFileDrop(addFiles);
  const filesRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);

  return (
    <div
      className={`dm-dropzone${compact ? ' dm-dropzone-compact' : ''}${over ? ' dm-dropzone-over' : ''}`}
      data-testid="dropzone"
      {...handlers}
    >
      <div className="dm-dropzone-text">
        <strong>{compact ? 'Add more:' : 'Drop GeoTIFF files or whole folders here'}</strong>
        {!compact && (
          <span className="muted">
            Sentinel-2, Sentinel-1, Landsat, aerial RGB(-NIR) or any georeferenced GeoTIFF. Folders are searched recursively; time series are
            stacked by date. Files stay in this browser tab — nothing is uploaded.
          </span>
        )}
      </div>
      <div className="dm-dropzone-buttons">
        <button type="button" className="dm-btn" onClick={() => filesRef.current?.click()}>
          Choose files…
        </button>
        <button type="button" className="dm-btn" onClick={() => folderRef.current?.click()}>
          Choose a folder…
        </button>
      </div>
      <input
        ref={filesRef}
        type="file"
        multiple
        accept=".tif,.tiff,.gtif,.gtiff,.jp2,.j2k,image/tiff"
        hidden
        data-testid="file-input"
        onChange={(e) => {
          const c = collectInput(e.currentTarget.files);
          e.currentTarget.value = '';
          void addFiles(c.files, skippedNote(c.skipped));
        }}
      />
      <input
        ref={(el) => {
          folderRef.current = el;
          // webkitdirectory is not in React's typed attributes; set it on the element.
          if (el) el.setAttribute('webkitdirectory', '');
        }}
        type="file"
        multiple
        hidden
        data-testid="folder-input"
        onChange={(e) => {
          const c = collectInput(e.currentTarget.files);
          e.currentTarget.value = '';
          void addFiles(c.files, skippedNote(c.skipped));
        }}
      />
    </div>
  );
}
