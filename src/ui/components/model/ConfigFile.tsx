/**
 * The configuration as a file: export it as JSON (the same format `npm run train -- --config` reads), import one
 * (a studio export or a checkpoint's state.json; modalities not in the loaded data are ignored and the rest adapted,
 * with what changed listed), or reset every setting to the dataset's defaults.
 */
import { useRef } from 'react';
import { useStudioStore } from '../../../store';

const NOT_IMPORTED = 'The configuration was not imported: ';

/** The refusal of an import, with its problems as a list (the worker sends them joined by "; "). */
function ImportError({ text }: { text: string }) {
  const problems = text.startsWith(NOT_IMPORTED) ? text.slice(NOT_IMPORTED.length).split('; ') : [];
  return (
    <div className="error" role="alert" data-testid="import-error">
      {problems.length > 1 ? (
        <>
          {NOT_IMPORTED}
          <ul className="small">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </>
      ) : (
        text
      )}
    </div>
  );
}

export function ConfigFile() {
  const problems = useStudioStore((s) => s.model.problems);
  const config = useStudioStore((s) => s.model.config);
  const importMessages = useStudioStore((s) => s.model.importMessages);
  const importError = useStudioStore((s) => s.model.importError);
  const exportJson = useStudioStore((s) => s.exportConfigJson);
  const importConfig = useStudioStore((s) => s.importConfig);
  const resetConfig = useStudioStore((s) => s.resetConfig);
  const inputRef = useRef<HTMLInputElement>(null);

  const download = () => {
    const json = exportJson();
    if (!json) return;
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `eo-mae-config-${config?.preset ?? 'model'}.json`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <section className="dm-model-block" aria-labelledby="config-file-title">
      <h3 id="config-file-title">Configuration file</h3>
      <div className="dm-data-actions">
        <button type="button" className="dm-btn" onClick={download} disabled={!config || problems.length > 0} aria-describedby={problems.length ? 'export-why' : undefined} data-testid="export-config">
          Export configuration as JSON
        </button>
        <button type="button" className="dm-btn" onClick={() => inputRef.current?.click()} data-testid="import-config">
          Import configuration…
        </button>
        <button type="button" className="dm-btn dm-btn-quiet" onClick={() => void resetConfig()} disabled={!config}>
          Reset to defaults
        </button>
        <input
          ref={inputRef}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="import-config-input"
          onChange={(e) => {
            const f = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (f) void f.text().then((t) => importConfig(t));
          }}
        />
      </div>
      {problems.length > 0 && config && (
        <p id="export-why" className="small muted">
          Export is available once the configuration has no problems.
        </p>
      )}
      {importError && <ImportError text={importError} />}
      {importMessages.length > 0 && (
        <ul className="small plain" role="status">
          {importMessages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
