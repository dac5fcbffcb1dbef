/** Titles, icons and availability of the studio sections, in workflow order. */
import type { Section } from '../../store';

export interface SectionInfo {
  title: string;
  subtitle: string;
  icon: string;
  available: boolean;
  /** Why a section is disabled in this build (shown as its tooltip and subtitle). */
  unavailableReason: string;
}

export const SECTION_ORDER: readonly Section[] = ['data', 'model', 'train', 'inspect', 'evaluate', 'export', 'system'];

export const SECTION_INFO: Record<Section, SectionInfo> = {
  data: { title: 'Data', subtitle: 'Drop GeoTIFF tiles', icon: '▦', available: true, unavailableReason: '' },
  model: { title: 'Model', subtitle: 'Modalities, masking, size', icon: '◈', available: true, unavailableReason: '' },
  train: { title: 'Train', subtitle: 'Pre-train in the page', icon: '▶', available: true, unavailableReason: '' },
  inspect: { title: 'Inspect', subtitle: 'Masked reconstructions', icon: '◐', available: true, unavailableReason: '' },
  evaluate: { title: 'Evaluate', subtitle: 'Probes and ablations', icon: '◎', available: true, unavailableReason: '' },
  export: { title: 'Export', subtitle: 'Checkpoints, ONNX', icon: '⇩', available: true, unavailableReason: '' },
  system: { title: 'System', subtitle: 'GPU and limits', icon: '⚙', available: true, unavailableReason: '' },
};
