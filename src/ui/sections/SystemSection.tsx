/**
 * System: the adapter the studio trains on, its limits and optional features, in words a researcher can act on
 * (e.g. "largest single tensor", "half precision available").
 */
import { useStudioStore, type AdapterReport } from '../../store';

const MiB = 1024 * 1024;

function fmtBytes(n: number): string {
  return n >= 1024 * MiB ? `${(n / (1024 * MiB)).toFixed(1)} GiB` : `${Math.round(n / MiB)} MiB`;
}

const FEATURE_TEXT: Record<string, string> = {
  'shader-f16': 'Half-precision shaders',
  subgroups: 'Subgroup operations (faster reductions)',
  'timestamp-query': 'GPU timestamps (kernel timing)',
};

function Limits({ report }: { report: AdapterReport }) {
  const l = report.limits;
  const rows: [string, string, string][] = [
    ['Largest buffer', fmtBytes(l.maxBufferSize), 'Upper bound for one parameter, gradient or activation buffer'],
    ['Largest storage binding', fmtBytes(l.maxStorageBufferBindingSize), 'Kernels split larger tensors into several dispatches'],
    ['Storage buffers per kernel', String(l.maxStorageBuffersPerShaderStage), ''],
    ['Workgroup shared memory', `${l.maxComputeWorkgroupStorageSize / 1024} KiB`, 'Bounds the attention and matmul tile sizes'],
    ['Threads per workgroup', String(l.maxComputeInvocationsPerWorkgroup), ''],
    ['Workgroups per grid dimension', l.maxComputeWorkgroupsPerDimension.toLocaleString('en'), ''],
  ];
  return (
    <table className="kv">
      <tbody>
        {rows.map(([k, v, note]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td className="num">{v}</td>
            <td className="muted">{note}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SystemSection() {
  const gpu = useStudioStore((s) => s.gpu);
  return (
    <section aria-labelledby="system-title">
      <h2 id="system-title">System</h2>
      {gpu.state === 'probing' && <p className="muted">Asking the browser for a GPU adapter…</p>}
      {gpu.state === 'lost' && (
        <p className="error" role="alert">
          The GPU device was lost ({gpu.reason}). Reload the page to get a new one.
        </p>
      )}
      {(gpu.state === 'ready' || (gpu.state === 'lost' && gpu.report)) && (() => {
        const report = gpu.state === 'ready' ? gpu.report : gpu.report!;
        return (
          <>
            <div className="cards">
              <div className="card">
                <div className="card-label">Adapter</div>
                <div className="card-value" data-testid="adapter-name">{report.name}</div>
                <div className="muted">
                  {report.isSoftware ? 'CPU emulation — expect very slow training' : 'Hardware GPU'} · runs in {report.runtime}
                </div>
              </div>
              <div className="card">
                <div className="card-label">Optional features</div>
                <ul className="plain">
                  {Object.keys(FEATURE_TEXT).map((f) => (
                    <li key={f} className={report.features.includes(f) ? '' : 'muted'}>
                      {report.features.includes(f) ? '✓' : '✗'} {FEATURE_TEXT[f]}
                    </li>
                  ))}
                </ul>
              </div>
            </div>
            <h3>Limits</h3>
            <Limits report={report} />
            <p className="muted small">
              All processing stays in this browser tab: files you drop are never uploaded, and the studio makes no network
              request except to load itself.
            </p>
          </>
        );
      })()}
    </section>
  );
}
