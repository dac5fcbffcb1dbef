/**
 * The Export section's ONNX card: downloads the encoder of the current weights as an ONNX model (opset 17, float32,
 * symbolic batch dimension — pixels and date encodings in, token features out), and checks the exported model in
 * onnxruntime-web on the Inspect section's current sample against the studio's own WGSL encoder: the execution
 * provider that ran it, the timings, and the largest difference (target ≤ 1e-4).
 * Invariants: a configuration the exporter refuses (an invalid one) shows the reason and disables both
 * buttons; every failure is shown on the card in plain words; the file comes from the worker and is only handed to
 * the browser's download here.
 */
import { useEffect } from 'react';
import { useStudioStore } from '../../../store';
import type { EncoderProgress, OrtCheckReport } from '../../../store/encoderSlice';
import { downloadFile } from './download';
import { fmtBytes, fmtCount } from './format';
import './onnxCard.css';

const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const fmtDiff = (d: number) => (Number.isFinite(d) ? d.toExponential(2) : String(d));
const PROVIDER_LABEL: Record<string, string> = { webgpu: 'WebGPU', wasm: 'WebAssembly (CPU)' };

/** A live progress line for one encoder task (role=status, so screen readers hear the stage). */
export function TaskProgress({ progress, testId }: { progress: EncoderProgress | undefined; testId: string }) {
  if (!progress) return null;
  return (
    <div className="onnx-progress" role="status" data-testid={testId}>
      <progress max={progress.total} value={progress.done} aria-label={progress.stage} />
      <span className="small">{progress.stage}…</span>
    </div>
  );
}

function CheckResult({ check }: { check: OrtCheckReport }) {
  return (
    <div className={`onnx-check ${check.pass ? 'is-pass' : 'is-fail'}`} data-testid="onnx-check-result" data-provider={check.provider} data-max-diff={check.maxAbsDiff} data-pass={check.pass}>
      <p className="onnx-verdict">
        {check.pass ? '✓ Matches' : '✗ Does not match'} the studio&apos;s WGSL encoder: max |ONNX − WGSL| ={' '}
        <strong className="num" data-testid="onnx-max-diff">
          {fmtDiff(check.maxAbsDiff)}
        </strong>{' '}
        (target ≤ {check.tolerance.toExponential(0)}).
      </p>
      <dl className="onnx-facts">
        <div>
          <dt>Execution provider</dt>
          <dd data-testid="onnx-provider">
            {PROVIDER_LABEL[check.provider] ?? check.provider} <span className="muted small">(onnxruntime-web {check.ortVersion})</span>
          </dd>
        </div>
        <div>
          <dt>Session</dt>
          <dd className="num">{fmtMs(check.ms.session)}</dd>
        </div>
        <div>
          <dt>First run</dt>
          <dd className="num" data-testid="onnx-run-ms">
            {fmtMs(check.ms.firstRun)}
          </dd>
        </div>
        <div>
          <dt>Warm run</dt>
          <dd className="num">{fmtMs(check.ms.warmRun)}</dd>
        </div>
        <div>
          <dt>WGSL encoder</dt>
          <dd className="num">{fmtMs(check.ms.wgsl)}</dd>
        </div>
      </dl>
      {check.groups.length > 1 && (
        <p className="small muted">Per fusion group: {check.groups.map((g) => `${g.group} ${fmtDiff(g.maxAbsDiff)} (${g.tokens} tokens)`).join(', ')}.</p>
      )}
      <p className="small muted">
        On {check.sampleLabel} (the Inspect sample), {check.weights.source === 'initial' ? 'initial weights' : `weights of step ${check.weights.step}`}, model{' '}
        {fmtBytes(check.bytes)}; ORT load {fmtMs(check.ms.load)}.
      </p>
      {check.fallbacks.map((f) => (
        <p key={f.provider} className="small warn-text">
          {PROVIDER_LABEL[f.provider] ?? f.provider} could not run it, so {PROVIDER_LABEL[check.provider] ?? check.provider} did: {f.error}
        </p>
      ))}
    </div>
  );
}

export function OnnxCard() {
  const onnx = useStudioStore((s) => s.encoder.onnx);
  const exportProgress = useStudioStore((s) => s.encoder.progress.export);
  const checkProgress = useStudioStore((s) => s.encoder.progress.check);
  const refresh = useStudioStore((s) => s.refreshOnnxInfo);
  const exportOnnx = useStudioStore((s) => s.exportOnnx);
  const check = useStudioStore((s) => s.checkOnnxInOrt);
  // What decides the exportable model: the Model configuration (once the worker accepted it), the data, the run.
  const config = useStudioStore((s) => s.model.config);
  const modelChecking = useStudioStore((s) => s.model.checking);
  const summary = useStudioStore((s) => s.data.summary);
  const runId = useStudioStore((s) => s.train.status.runId);
  const phase = useStudioStore((s) => s.train.status.phase);

  useEffect(() => {
    if (!modelChecking) void refresh();
  }, [refresh, config, modelChecking, summary, runId, phase]);

  const { info } = onnx;
  const blocked = info === null || info.refusal !== null;
  const busy = onnx.exporting || onnx.checking;
  return (
    <div className="card onnx-card" aria-labelledby="onnx-title" data-testid="onnx-card">
      <h3 id="onnx-title" className="card-title">
        ONNX encoder
      </h3>
      <p>
        The pre-trained encoder as an ONNX model for onnxruntime (Python, C++, or the browser):{' '}
        {info?.inputs.some((i) => i.name.startsWith('geo_')) ? 'pixels, acquisition-date encodings and each token’s geographic features' : 'pixels and acquisition-date encodings'} in, one
        feature vector per token out. Opset {info?.opset ?? 17}, float32, any batch size; weights and position tables are inside the file.
      </p>
      {info && (
        <>
          <p className="muted small" data-testid="onnx-weights" data-source={info.weights.source} data-step={info.weights.step}>
            {info.weights.note} {info.weights.preset} preset, {fmtCount(info.encoderParams)} encoder parameters.
          </p>
          <details className="onnx-signature small" data-testid="onnx-signature">
            <summary>Inputs and outputs</summary>
            <ul>
              {[...info.inputs, ...info.outputs].map((t) => (
                <li key={t.name}>
                  <code>{t.name}</code> <span className="num">[{t.shape.join(', ')}]</span>
                </li>
              ))}
            </ul>
          </details>
        </>
      )}
      {onnx.infoError && (
        <p className="warn-text small" role="alert" data-testid="onnx-unavailable">
          {onnx.infoError}
        </p>
      )}
      {info?.refusal && (
        <p className="warn-text small" role="alert" data-testid="onnx-refusal">
          {info.refusal}
        </p>
      )}
      <div className="button-row">
        <button
          type="button"
          className="button primary"
          data-testid="onnx-download"
          disabled={blocked || busy}
          onClick={async () => {
            const f = await exportOnnx();
            if (f) downloadFile(f.name, f.bytes, f.mime);
          }}
        >
          {onnx.exporting ? 'Exporting…' : 'Download ONNX'}
        </button>
        <button type="button" className="button" data-testid="onnx-check" disabled={blocked || busy} onClick={() => void check()}>
          {onnx.checking ? 'Checking…' : 'Check in onnxruntime-web'}
        </button>
      </div>
      <TaskProgress progress={exportProgress} testId="onnx-export-progress" />
      <TaskProgress progress={checkProgress} testId="onnx-check-progress" />
      {onnx.exported && !onnx.exportError && (
        <p className="notice small" role="status" data-testid="onnx-exported">
          Exported {onnx.exported.name} ({fmtBytes(onnx.exported.bytes)}).
        </p>
      )}
      {onnx.exportError && (
        <p className="error small" role="alert" data-testid="onnx-export-error">
          {onnx.exportError}
        </p>
      )}
      {onnx.checkError && (
        <p className="error small" role="alert" data-testid="onnx-check-error">
          {onnx.checkError}
        </p>
      )}
      {onnx.check && !onnx.checking && <CheckResult check={onnx.check} />}
      <p className="muted small">
        The check exports the current weights, runs the file in onnxruntime-web (WebGPU, else WebAssembly) on the Inspect section&apos;s sample and
        compares every token&apos;s features with the studio&apos;s WGSL encoder. See docs/readme-encoder-studio.md.
      </p>
    </div>
  );
}
