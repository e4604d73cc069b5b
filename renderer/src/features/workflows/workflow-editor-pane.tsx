import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { useApp, useWorkflows } from '../../app-context';
import type { JsonEditorHandle } from './json-editor';
import { dagInput } from './dag-input';
import { ReferencePickerDialog } from './reference-picker-dialog';
import { REF_KINDS, findReferences, parseDefinition, referenceSnippet, replaceId, unknownIds, type RefKind } from './workflow-references';

/** Loaded on first use: CodeMirror and dagre are the screen's heaviest dependencies (start-up budget). */
const JsonEditor = lazy(() => import('./json-editor'));
const DagPreview = lazy(() => import('./dag-preview'));

/** Debounce of the server-side check while typing. */
const VALIDATE_DELAY_MS = 400;
const PICKER_LABEL: Record<RefKind, string> = { connection: 'Insert connection', secret: 'Insert secret', datastore: 'Insert datastore' };

/**
 * The definition editor: the JSON (schema validation and completion in the editor), the core's issues with their
 * field beside it, the pickers that put a reference in by name, and the DAG preview of the steps.
 */
export function WorkflowEditorPane(props: Readonly<{ canWrite: boolean }>) {
  const { workflows } = useApp();
  const draft = useWorkflows((s) => s.draft);
  const issues = useWorkflows((s) => s.issues);
  const validating = useWorkflows((s) => s.validating);
  const schema = useWorkflows((s) => s.schema);
  const options = useWorkflows((s) => s.options);
  const focusStepId = useWorkflows((s) => s.focusStepId);
  const editor = useRef<JsonEditorHandle>(null);
  const [picking, setPicking] = useState<{ kind: RefKind; selection: string } | null>(null);
  const text = draft?.text ?? '';
  const readOnly = !props.canWrite || draft?.viewingVersion !== null;

  useEffect(() => {
    void workflows.getState().loadSchema();
    void workflows.getState().loadOptions();
  }, [workflows]);

  useEffect(() => {
    const h = setTimeout(() => void workflows.getState().validate(), VALIDATE_DELAY_MS);
    return () => clearTimeout(h);
  }, [text, workflows]);

  const parsed = useMemo(() => parseDefinition(text), [text]);
  const uses = useMemo(() => (parsed.ok ? findReferences(parsed.value) : []), [parsed]);
  // While the text does not parse (mid-edit), the preview keeps the last definition that did.
  const lastGood = useRef<unknown>(null);
  if (parsed.ok) lastGood.current = parsed.value;
  const dag = useMemo(() => dagInput(parsed.ok ? parsed.value : lastGood.current), [parsed]);

  const pick = (id: string, replace: string | null) => {
    const kind = picking!.kind;
    setPicking(null);
    if (replace) workflows.getState().setText(replaceId(text, replace, id));
    else editor.current?.insert((inside) => referenceSnippet(kind, id, inside));
  };

  return (
    <div className="wf-editor-layout">
      <div className="wf-editor-main">
        {!readOnly && (
          <div className="actions-row" role="toolbar" aria-label="Insert a reference">
            {REF_KINDS.map((kind) => (
              <button key={kind} type="button" className="secondary" data-testid={`insert-${kind}`} onClick={() => {
                  // The lists may have changed since the screen opened (a datastore created meanwhile).
                  void workflows.getState().loadOptions();
                  setPicking({ kind, selection: editor.current?.selection() ?? '' });
                }}
              >
                {PICKER_LABEL[kind]}
              </button>
            ))}
          </div>
        )}
        <Suspense fallback={<p className="muted">Loading the editor…</p>}>
          <JsonEditor
            ref={editor}
            value={text}
            readOnly={readOnly}
            schema={schema}
            label="Workflow definition (JSON)"
            testId="workflow-editor"
            onChange={(t) => workflows.getState().setText(t)}
          />
        </Suspense>
      </div>
      <aside className="wf-editor-side">
        <h3>Problems</h3>
        {issues.length === 0 ? (
          <p className="muted" data-testid="workflow-valid">
            {validating ? 'Checking…' : 'No problems found.'}
          </p>
        ) : (
          <ul className="list issues" data-testid="workflow-issues" data-count={issues.length}>
            {issues.map((i) => (
              <li key={`${i.field}:${i.message}`} data-testid="workflow-issue" data-field={i.field}>
                <span className="mono">{i.field}</span>: {i.message}
              </li>
            ))}
          </ul>
        )}
        <h3>Steps</h3>
        {focusStepId && (
          <p className="muted" data-testid="workflow-focus-step">
            Referenced in step <span className="mono">{focusStepId}</span>.
          </p>
        )}
        <Suspense fallback={null}>
          <DagPreview input={dag} focusStepId={focusStepId} />
        </Suspense>
      </aside>
      {picking && (
        <ReferencePickerDialog
          kind={picking.kind}
          options={options[picking.kind]}
          placeholders={unknownIds(uses, options, picking.kind)}
          selection={picking.selection}
          onPick={pick}
          onClose={() => setPicking(null)}
        />
      )}
    </div>
  );
}
