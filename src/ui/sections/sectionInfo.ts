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

export const SECTION_ORDER: readonly Section[] = ['data', 'model', 'train', 'inspect', 'export', 'system'];

export const SECTION_INFO: Record<Section, SectionInfo> = {
  data: { title: 'Data', subtitle: 'Drop GeoTIFF tiles', icon: '▦', available: false, unavailableReason: 'Arrives with the GeoTIFF pipeline' },
  model: { title: 'Model', subtitle: 'Modalities, masking, size', icon: '◈', available: false, unavailableReason: 'Arrives with the training engine' },
  train: { title: 'Train', subtitle: 'Pre-train in the page', icon: '▶', available: false, unavailableReason: 'Arrives with the training engine' },
  inspect: { title: 'Inspect', subtitle: 'Masked reconstructions', icon: '◐', available: false, unavailableReason: 'Arrives with the training engine' },
  export: { title: 'Export', subtitle: 'Checkpoints, ONNX', icon: '⇩', available: false, unavailableReason: 'Arrives with the training engine' },
  system: { title: 'System', subtitle: 'GPU and limits', icon: '⚙', available: true, unavailableReason: '' },
};
