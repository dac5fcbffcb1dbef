/**
 * Drag-and-drop of files and folders onto an element: the highlight while files hover, and the drop collected
 * (folders walked) before the DataTransfer empties. Used by the data drop zone and the label drop zone.
 */
import { useState, type DragEvent } from 'react';
import type { IncomingFile } from '../../../store/dataSlice';
import { collectDrop, skippedNote } from './collectFiles';

export function useFileDrop(onFiles: (files: IncomingFile[], notes: string[]) => unknown) {
  const [over, setOver] = useState(false);
  const onDragOver = (e: DragEvent<HTMLElement>) => {
    if (!Array.from(e.dataTransfer.types).includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setOver(true);
  };
  const handlers = {
    onDragOver,
    onDragEnter: onDragOver,
    onDragLeave: (e: DragEvent<HTMLElement>) => {
      if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
    },
    onDrop: (e: DragEvent<HTMLElement>) => {
      e.preventDefault();
      setOver(false);
      // Collected synchronously: the DataTransfer is emptied once this handler returns.
      void collectDrop(e.dataTransfer).then((c) => onFiles(c.files, skippedNote(c.skipped)));
    },
  };
  return { over, handlers };
}
