/**
 * Fusion groups: which modalities share one token sequence and encoder (MAESTRO fuses Sentinel-1 ascending and
 * descending; every other modality has its own encoder, and all meet in the shared blocks). Each modality picks a
 * group: an existing one, or its own.
 */
import { useStudioStore } from '../../../store';
import { fusionGroupOfModality, withFusionGroup } from '../../../store/modelEdits';
import { FieldProblems, fieldId } from './fields';

export function FusionGroupsEditor() {
  const config = useStudioStore((s) => s.model.config);
  const problems = useStudioStore((s) => s.model.problems);
  const edit = useStudioStore((s) => s.editConfig);
  if (!config) return null;
  const id = fieldId('groups');
  return (
    <section className="dm-model-block" aria-labelledby={`${id}-title`} id={id}>
      <h3 id={`${id}-title`}>Fusion groups</h3>
      <p className="small muted">Modalities in one group are concatenated into one sequence with one encoder; every group then meets in the shared encoder blocks.</p>
      <table className="dm-grid-table">
        <caption className="dm-sr-only">Fusion group of each modality</caption>
        <thead>
          <tr>
            <th scope="col">Modality</th>
            <th scope="col">Group</th>
          </tr>
        </thead>
        <tbody>
          {config.modalities.map((m) => {
            const current = fusionGroupOfModality(config, m.name);
            const choices = [...new Set([...config.groups.map((g) => g.name), m.name])];
            const selId = `${id}-${m.name}`;
            return (
              <tr key={m.name}>
                <th scope="row">
                  <label htmlFor={selId}>
                    <code>{m.name}</code>
                  </label>
                </th>
                <td>
                  <select id={selId} value={current} onChange={(e) => void edit((c) => withFusionGroup(c, m.name, e.target.value))}>
                    {choices.map((g) => (
                      <option key={g} value={g}>
                        {g === m.name && !config.groups.some((x) => x.name === g) ? `${g} (own group)` : g}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="small" data-testid="fusion-groups">
        {config.groups.map((g) => (
          <span key={g.name} className="dm-group-pill">
            <strong>{g.name}</strong>: {g.modalities.join(' + ')}
          </span>
        ))}
      </p>
      <FieldProblems problems={problems} field="groups" />
    </section>
  );
}
