/**
 * Export: checkpoints (download, upload), the autosave to this browser, and the model files (configuration JSON,
 * weights) and the ONNX encoder (download, and a check in onnxruntime-web). Cards sit in a responsive grid.
 * Invariants: opening the section connects the training events and checks for an autosave, as Train does, so the
 * resume offer appears wherever the user lands after a reload.
 */
import { useEffect } from 'react';
import { useStudioStore } from '../../store';
import { AutosaveCard, CheckpointCard, ModelExportCard } from '../components/train/ExportCards';
import { OnnxCard } from '../components/train/OnnxCard';
import { ResumeOffer } from '../components/train/ResumeOffer';
import '../components/train/train.css';

export function ExportSection() {
  const connect = useStudioStore((s) => s.connectTraining);
  useEffect(() => {
    connect();
  }, [connect]);
  return (
    <section aria-labelledby="export-title" className="export-section">
      <h2 id="export-title">Export</h2>
      <p className="muted section-lead">Save and restore training runs, and take the model to other tools.</p>
      <ResumeOffer />
      <div className="export-cards">
        <CheckpointCard />
        <AutosaveCard />
        <ModelExportCard />
        <OnnxCard />
      </div>
    </section>
  );
}
