import { useMemo, useState } from 'react';
import { Modal } from '../../components/dialog';
import { EmptyState } from '../../components/ui';
import type { RefKind, RefOption } from './workflow-references';

const TITLES: Record<RefKind, string> = { connection: 'Insert connection', secret: 'Insert secret', datastore: 'Insert datastore' };
const CURSOR = '(cursor)';

/**
 * Pick a connection, secret or datastore by name; the editor gets its id. Where: at the cursor (or over the
 * selection), or in place of an id the definition names that this workspace does not have (an imported file's
 * placeholder): every occurrence of it is replaced. A selected placeholder is preselected.
 */
export function ReferencePickerDialog(
  props: Readonly<{
    kind: RefKind;
    options: readonly RefOption[];
    placeholders: ReadonlyArray<{ id: string; stepIds: string[] }>;
    selection: string;
    onPick: (id: string, replace: string | null) => void;
    onClose: () => void;
  }>,
) {
  const selected = props.selection.replace(/^"|"$/g, '');
  const preselected = props.placeholders.find((p) => p.id === selected)?.id ?? props.placeholders[0]?.id ?? CURSOR;
  const [target, setTarget] = useState<string>(preselected);
  const [q, setQ] = useState('');
  const shown = useMemo(() => props.options.filter((o) => o.name.toLowerCase().includes(q.trim().toLowerCase())), [props.options, q]);
  return (
    <Modal title={TITLES[props.kind]} onClose={props.onClose} testId="reference-picker" wide>
      <fieldset className="stack ref-targets">
        <legend>Where</legend>
        {props.placeholders.map((p) => (
          <label key={p.id} className="inline">
            <input type="radio" name="ref-target" data-testid="reference-target-placeholder" value={p.id} checked={target === p.id} onChange={() => setTarget(p.id)} />
            Replace <span className="mono">{p.id}</span> <span className="muted">(not in this workspace; steps {p.stepIds.join(', ')})</span>
          </label>
        ))}
        <label className="inline">
          <input type="radio" name="ref-target" data-testid="reference-target-cursor" value={CURSOR} checked={target === CURSOR} onChange={() => setTarget(CURSOR)} />
          {selected ? 'Replace the selected text' : 'Insert at the cursor'}
        </label>
      </fieldset>
      <input type="search" aria-label={`Search ${props.kind}s`} placeholder="Search by name" data-testid="reference-search" value={q} onChange={(e) => setQ(e.target.value)} autoFocus />
      {shown.length === 0 ? (
        <EmptyState title={`No ${props.kind} found`} testId="reference-empty">
          {props.options.length === 0 ? `This workspace has no ${props.kind}s yet: create one on its screen first.` : 'No name contains that text.'}
        </EmptyState>
      ) : (
        <ul className="list picker-list" data-testid="reference-options">
          {shown.map((o) => (
            <li key={o.id}>
              <button className="link" data-testid="reference-option" data-name={o.name} onClick={() => props.onPick(o.id, target === CURSOR ? null : target)}>
                {o.name}
              </button>{' '}
              {o.detail && <span className="muted">{o.detail}</span>} <span className="muted mono">{o.id}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="modal-actions">
        <button type="button" className="secondary" data-testid="reference-cancel" onClick={props.onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
