/**
 * Train: pre-train the masked autoencoder in the page. Settings on the left; run controls, progress and live charts
 * on the right. Training runs in the studio worker; this page only renders small numbers pushed by it.
 * Invariants: opening the section connects the training events and checks for an autosave (once per page) and asks
 * the worker whether a run can start; while something is missing (data still loading elsewhere) it asks again every
 * few seconds, so the Start button enables itself. The batch size is the Model section's (one value for both).
 */
import { useEffect } from 'react';
import { useStudioStore } from '../../store';
import { ACTIVE_PHASES } from '../../store/trainSlice';
import { ResumeOffer } from '../components/train/ResumeOffer';
import { TrainCharts } from '../components/train/TrainCharts';
import { TrainRunPanel } from '../components/train/TrainRunPanel';
import { TrainSettingsForm } from '../components/train/TrainSettingsForm';
import '../components/train/train.css';

/** How often a plan that is missing something is refreshed while the section is open. */
const REPLAN_MS = 2000;

export function TrainSection() {
  const connect = useStudioStore((s) => s.connectTraining);
  const plan = useStudioStore((s) => s.planTraining);
  const phase = useStudioStore((s) => s.train.status.phase);
  const gpu = useStudioStore((s) => s.gpu.state);
  const waiting = useStudioStore((s) => (s.train.plan?.missing.length ?? 1) > 0);

  useEffect(() => {
    connect();
  }, [connect]);

  // The Model section's memory estimate and the run share one batch size (edits here flow back through the slice).
  const modelBatch = useStudioStore((s) => s.model.batchSize);
  const setSettings = useStudioStore((s) => s.setTrainSettings);
  useEffect(() => {
    const t = useStudioStore.getState().train;
    if (!ACTIVE_PHASES.includes(t.status.phase) && t.settings.batchSize !== modelBatch) setSettings({ batchSize: modelBatch });
  }, [modelBatch, setSettings]);

  useEffect(() => {
    void plan();
  }, [plan, phase, gpu]);

  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(() => void plan(), REPLAN_MS);
    return () => clearInterval(t);
  }, [plan, waiting]);

  return (
    <section aria-labelledby="train-title" className="train-section">
      <h2 id="train-title">Train</h2>
      <p className="muted section-lead">
        Masked-autoencoder pre-training on the loaded data, in a background worker on your GPU. The page stays responsive;
        progress is autosaved to this browser, so a reload or a lost GPU costs at most the steps since the last save.
      </p>
      <ResumeOffer />
      <div className="train-layout">
        <TrainSettingsForm />
        <div className="train-main">
          <TrainRunPanel />
          <TrainCharts />
        </div>
      </div>
    </section>
  );
}
