/**
 * Section-level data actions: load the built-in demo dataset (generated in the worker, added next to whatever is
 * loaded), remove the demo files once the user has their own, and remove every file, which asks for confirmation
 * first because it cannot be undone.
 */
import { useState } from 'react';
import { useStudioStore } from '../../../store';

export function DataActions() {
  const count = useStudioStore((s) => s.data.summary?.counts.files ?? 0);
  const demoCount = useStudioStore((s) => s.data.summary?.counts.demo ?? 0);
  const userCount = useStudioStore((s) => s.data.summary?.counts.user ?? 0);
  const removeDemo = useStudioStore((s) => s.removeDemo);
  const demoLoading = useStudioStore((s) => s.data.demoLoading);
  const loadDemo = useStudioStore((s) => s.loadDemo);
  const clearData = useStudioStore((s) => s.clearData);
  const [confirming, setConfirming] = useState(false);

  return (
    <div className="dm-data-actions" role="group" aria-label="Dataset actions">
      <button type="button" className="dm-btn" onClick={() => void loadDemo()} disabled={demoLoading || demoCount > 0} title={demoCount > 0 ? 'The demo dataset is already loaded' : undefined}>
        {demoLoading ? 'Loading the demo dataset…' : 'Load demo dataset'}
      </button>
      {demoCount > 0 && userCount > 0 && !confirming && (
        <button type="button" className="dm-btn" onClick={() => void removeDemo()}>
          Remove the demo files
        </button>
      )}
      {count > 0 && !confirming && (
        <button type="button" className="dm-btn dm-btn-danger" onClick={() => setConfirming(true)}>
          Clear all
        </button>
      )}
      {confirming && (
        <span className="dm-confirm" role="alertdialog" aria-label="Confirm removing all files">
          <span>
            Remove all {count} file{count === 1 ? '' : 's'}?
          </span>
          <button
            type="button"
            className="dm-btn dm-btn-danger"
            autoFocus
            onClick={() => {
              setConfirming(false);
              void clearData();
            }}
          >
            Remove all
          </button>
          <button type="button" className="dm-btn" onClick={() => setConfirming(false)}>
            Keep them
          </button>
        </span>
      )}
    </div>
  );
}
