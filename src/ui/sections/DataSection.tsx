/**
 * Data: bring GeoTIFFs in (drop files or folders, or pick them), see what the studio understood of each file and
 * correct it, preview every image with a 2–98 % stretch, see the dates per modality and how footprints overlap, and
 * what the training dataset will be. On the very first visit the built-in demo dataset loads by itself.
 * Layout: inputs and progress on top; previews beside the date strips and footprints; the file table below.
 */
import { useEffect, useState } from 'react';
import { useStudioStore } from '../../store';
import type { LocationSummary } from '../../store/dataSlice';
import { DataActions } from '../components/data/DataActions';
import { DataMessages } from '../components/data/DataMessages';
import { DataProgressBar } from '../components/data/DataProgressBar';
import { DatasetSummaryPanel } from '../components/data/DatasetSummaryPanel';
import { DateStrips } from '../components/data/DateStrips';
import { DropZone } from '../components/data/DropZone';
import { FileTable } from '../components/data/FileTable';
import { FootprintSketch } from '../components/data/FootprintSketch';
import { findAcquisition, PreviewPanel } from '../components/data/PreviewPanel';
import '../components/data/data.css';

/** The least cloudy date of the longest series: the most telling first preview. */
function defaultAcquisition(locations: readonly LocationSummary[]): string | null {
  const series = locations.flatMap((l) => l.modalities).sort((a, b) => b.acquisitions.length - a.acquisitions.length)[0];
  if (!series) return null;
  const best = [...series.acquisitions].sort((a, b) => (a.cloudFraction ?? 0.5) - (b.cloudFraction ?? 0.5) || b.validFraction - a.validFraction)[0];
  return best?.id ?? null;
}

export function DataSection() {
  const autoLoadDemo = useStudioStore((s) => s.autoLoadDemo);
  const summary = useStudioStore((s) => s.data.summary);
  const demoLoading = useStudioStore((s) => s.data.demoLoading);
  const [picked, setPicked] = useState<string | null>(null);

  useEffect(() => {
    void autoLoadDemo();
  }, [autoLoadDemo]);

  const locations = summary?.locations ?? [];
  // The picked image, or a default when nothing (or a removed image) is picked.
  const selected = findAcquisition(locations, picked) ? picked : defaultAcquisition(locations);
  const hasFiles = (summary?.counts.files ?? 0) > 0;

  return (
    <section aria-labelledby="data-title" className="dm-data-section" data-testid="data-section">
      <div className="dm-section-head">
        <div>
          <h2 id="data-title">Data</h2>
          <p className="muted">Images are read in a background worker; nothing leaves this browser tab.</p>
        </div>
        <DataActions />
      </div>
      <DropZone compact={hasFiles} />
      <DataProgressBar />
      <DataMessages />
      {!hasFiles && !demoLoading && (
        <p className="muted dm-empty-note">
          No data loaded. Drop your own GeoTIFFs above, or use <strong>Load demo dataset</strong> for a synthetic Sentinel-2 / Sentinel-1 / aerial
          time series.
        </p>
      )}
      <DatasetSummaryPanel />
      {locations.length > 0 && (
        <div className="dm-data-grid">
          <PreviewPanel selected={selected} onSelect={setPicked} />
          <div className="dm-data-side">
            <DateStrips selected={selected} onSelect={setPicked} />
            <FootprintSketch />
          </div>
        </div>
      )}
      <FileTable />
    </section>
  );
}
