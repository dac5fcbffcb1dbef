/** The adapter badge in the header: which GPU the studio trains on, with a warning colour for software adapters. */
import { useStudioStore } from '../../store';

export function CapabilityBadge() {
  const gpu = useStudioStore((s) => s.gpu);
  let text: string;
  let tone: 'ok' | 'warn' | 'bad' | 'busy';
  let title = '';
  switch (gpu.state) {
    case 'probing':
      text = 'Looking for a GPU…';
      tone = 'busy';
      break;
    case 'ready':
      text = gpu.report.name;
      tone = gpu.report.isSoftware ? 'warn' : 'ok';
      title = `${gpu.report.runtime}; features: ${gpu.report.features.join(', ') || 'none'}`;
      break;
    case 'lost':
      text = `GPU lost${gpu.report ? `: ${gpu.report.name}` : ''}`;
      tone = 'bad';
      title = gpu.reason;
      break;
    case 'unavailable':
      text = 'No WebGPU';
      tone = 'bad';
      title = gpu.reason;
      break;
  }
  return (
    <div className={`badge badge-${tone}`} data-testid="adapter-badge" title={title} role="status" aria-live="polite">
      <span className="badge-dot" aria-hidden="true" />
      <span className="badge-label">GPU</span>
      <span className="badge-text">{text}</span>
    </div>
  );
}
