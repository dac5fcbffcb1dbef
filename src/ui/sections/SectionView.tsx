/** Renders the active section; a section unavailable in this build falls back to System. */
import { useStudioStore } from '../../store';
import { SECTION_INFO } from './sectionInfo';
import { SystemSection } from './SystemSection';

export function SectionView() {
  const section = useStudioStore((s) => s.section);
  const shown = SECTION_INFO[section].available ? section : 'system';
  switch (shown) {
    default:
      return <SystemSection />;
  }
}
