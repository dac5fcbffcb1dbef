/** Renders the active section; a section unavailable in this build falls back to System. */
import { useStudioStore } from '../../store';
import { DataSection } from './DataSection';
import { ExportSection } from './ExportSection';
import { EvaluateSection } from './EvaluateSection';
import { InspectSection } from './InspectSection';
import { ModelSection } from './ModelSection';
import { SECTION_INFO } from './sectionInfo';
import { SystemSection } from './SystemSection';
import { TrainSection } from './TrainSection';

export function SectionView() {
  const section = useStudioStore((s) => s.section);
  const shown = SECTION_INFO[section].available ? section : 'system';
  switch (shown) {
    case 'data':
      return <DataSection />;
    case 'model':
      return <ModelSection />;
    case 'train':
      return <TrainSection />;
    case 'inspect':
      return <InspectSection />;
    case 'evaluate':
      return <EvaluateSection />;
    case 'export':
      return <ExportSection />;
    default:
      return <SystemSection />;
  }
}
