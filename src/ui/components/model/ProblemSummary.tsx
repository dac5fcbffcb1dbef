/**
 * Every problem of the configuration in one list at the top of the form, each linking to the field it names (the
 * field shows the same message beside it), plus notes about what a data change or an import adapted.
 */
import { useStudioStore } from '../../../store';
import { problemText } from '../../../store/modelEdits';
import { fieldId } from './fields';

/** The field a problem path is shown at: modality fields as they are, fusion group details at the groups table. */
function targetOf(path: string): string {
  if (path.startsWith('groups')) return 'groups';
  if (path.startsWith('dateEncoding')) return 'dateEncoding.reference.modality';
  if (/^modalities\[\d+\]\.scaling/.test(path)) return path.replace(/\.scaling.*/, '.normGroups');
  return path;
}

export function ProblemSummary() {
  const problems = useStudioStore((s) => s.model.problems);
  const notes = useStudioStore((s) => s.model.notes);
  if (problems.length === 0 && notes.length === 0) return null;
  return (
    <div className="dm-problem-summary">
      {problems.length > 0 && (
        <div className="dm-problems" role="alert" data-testid="config-problems">
          <strong>
            {problems.length} problem{problems.length === 1 ? '' : 's'} to fix before training:
          </strong>
          <ul>
            {problems.map((p) => {
              const path = p.slice(0, Math.max(0, p.indexOf(':')));
              const id = fieldId(targetOf(path));
              return (
                <li key={p}>
                  <a
                    href={`#${id}`}
                    onClick={(e) => {
                      const el = document.getElementById(id);
                      if (!el) return;
                      e.preventDefault();
                      el.scrollIntoView({ block: 'center' });
                      (el.matches('input, select, textarea') ? el : el.querySelector<HTMLElement>('input, select, textarea'))?.focus();
                    }}
                  >
                    <code>{path}</code>
                  </a>
                  : {problemText(p)}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      {notes.length > 0 && (
        <ul className="small plain dm-notes-list" role="status">
          {notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
