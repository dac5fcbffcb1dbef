/**
 * Section navigation. Sections follow the workflow (Data → Model → Train → Inspect → Export); a section whose
 * capability has not arrived in this build is shown disabled with the reason, never as an empty page.
 * Keyboard: Alt+1…7 jumps to a section; arrows move between tabs (WAI-ARIA tabs pattern).
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useStudioStore, type Section } from '../../store';
import { SECTION_INFO, SECTION_ORDER } from '../sections/sectionInfo';

export function NavBar() {
  const section = useStudioStore((s) => s.section);
  const setSection = useStudioStore((s) => s.setSection);
  const refs = useRef<Map<Section, HTMLButtonElement>>(new Map());
  const enabled = SECTION_ORDER.filter((s) => SECTION_INFO[s].available);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (!e.altKey) return;
      const n = Number(e.key);
      if (n >= 1 && n <= SECTION_ORDER.length) {
        const target = SECTION_ORDER[n - 1];
        if (SECTION_INFO[target].available) {
          e.preventDefault();
          setSection(target);
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setSection]);

  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = enabled.indexOf(section);
    let next: Section | undefined;
    if (e.key === 'ArrowDown' || e.key === 'ArrowRight') next = enabled[(i + 1) % enabled.length];
    if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') next = enabled[(i - 1 + enabled.length) % enabled.length];
    if (next) {
      e.preventDefault();
      setSection(next);
      refs.current.get(next)?.focus();
    }
  };

  return (
    <nav className="nav" aria-label="Studio sections">
      <div role="tablist" aria-orientation="vertical">
        {SECTION_ORDER.map((s, i) => {
          const info = SECTION_INFO[s];
          const active = s === section;
          return (
            <button
              key={s}
              ref={(el) => {
                if (el) refs.current.set(s, el);
              }}
              role="tab"
              type="button"
              id={`tab-${s}`}
              aria-selected={active}
              aria-controls="main"
              aria-disabled={!info.available}
              tabIndex={active ? 0 : -1}
              className={`nav-item${active ? ' active' : ''}`}
              disabled={!info.available}
              title={info.available ? `${info.title} (Alt+${i + 1})` : info.unavailableReason}
              onClick={() => setSection(s)}
              onKeyDown={onKeyDown}
            >
              <span className="nav-icon" aria-hidden="true">
                {info.icon}
              </span>
              <span className="nav-text">
                <span className="nav-title">{info.title}</span>
                <span className="nav-sub">{info.available ? info.subtitle : info.unavailableReason}</span>
              </span>
            </button>
          );
        })}
      </div>
    </nav>
  );
}
