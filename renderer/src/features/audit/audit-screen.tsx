import { useEffect, useState } from 'react';
import { AUDIT_ACTIONS, type AuditAction, type Risk } from '@shared/domain/audit.catalog';
import { useApp, useAudit, useSession } from '../../app-context';
import { EmptyState, ErrorBanner, RiskBadge, Screen } from '../../components/ui';
import { SelectInput } from '../../components/select-input';
import { formatTimestamp } from '../../components/format';
import { useCan } from '../../access';
import { Form } from '../../components/form';
import { useRovingList } from '../../components/use-roving-list';

const ACTIONS = Object.keys(AUDIT_ACTIONS) as AuditAction[];
const RISKS: ReadonlyArray<{ value: Risk; label: string }> = [
  { value: 'high', label: 'High' },
  { value: 'medium', label: 'Medium' },
  { value: 'low', label: 'Low' },
];
const TITLE = 'Audit log';
const SUBTITLE = 'Every change and every access to a secret or credential, newest first.';

/** The audit log needs audit.read (admins); other roles see why it is empty instead of an error. */
export function AuditScreen() {
  const can = useCan();
  if (can('audit.read')) return <AuditLog />;
  return (
    <Screen testId="screen-audit" title={TITLE} subtitle={SUBTITLE}>
      <EmptyState title="Admins only" testId="audit-not-allowed">Your role in this workspace cannot read the audit log; ask an admin of this workspace.</EmptyState>
    </Screen>
  );
}

/** Audit log: newest first, filters, keyset "Load more"; high-risk rows are marked. */
function AuditLog() {
  const { audit } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const { items, status, error, nextCursor, filters } = useAudit((s) => s);
  const [draft, setDraft] = useState(filters);
  const rowsRef = useRovingList<HTMLTableElement>('tr[data-testid="audit-row"]');

  useEffect(() => {
    if (!workspaceId) return;
    void audit.getState().load(workspaceId);
    return audit.getState().listen(workspaceId);
  }, [workspaceId, audit]);

  const toIso = (v: string) => (v ? new Date(v).toISOString() : undefined);

  return (
    <Screen testId="screen-audit" title={TITLE} subtitle={SUBTITLE}>
      <Form
        className="filters"
        onSubmit={() => {
          if (workspaceId) void audit.getState().load(workspaceId, draft);
        }}
      >
        <label>
          Action
          <SelectInput testId="audit-filter-action" options={ACTIONS} emptyLabel="All actions" value={draft.action} onChange={(action) => setDraft({ ...draft, action })} />
        </label>
        <label>
          Risk
          <SelectInput testId="audit-filter-risk" options={RISKS} emptyLabel="Any risk" value={draft.risk} onChange={(risk) => setDraft({ ...draft, risk })} />
        </label>
        <label>
          Actor
          <input data-testid="audit-filter-actor" placeholder="name or id" value={draft.actor ?? ''} onChange={(e) => setDraft({ ...draft, actor: e.target.value || undefined })} />
        </label>
        <label>
          From
          <input type="datetime-local" data-testid="audit-filter-from" onChange={(e) => setDraft({ ...draft, from: toIso(e.target.value) })} />
        </label>
        <label>
          To
          <input type="datetime-local" data-testid="audit-filter-to" onChange={(e) => setDraft({ ...draft, to: toIso(e.target.value) })} />
        </label>
        <button type="submit" data-testid="audit-apply">Apply</button>
      </Form>
      <ErrorBanner error={error} />
      {status === 'ready' && items.length === 0 ? (
        <EmptyState title="No events match">Change the filters, or make a change: every create, update, delete and reveal is recorded here.</EmptyState>
      ) : (
        <table className="table" data-testid="audit-table" ref={rowsRef}>
          <thead>
            <tr>
              <th>When (UTC)</th>
              <th>Action</th>
              <th>Risk</th>
              <th>Actor</th>
              <th>From</th>
              <th>Target</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id} className={e.risk === 'high' ? 'row-high' : undefined} data-testid="audit-row" data-action={e.action} data-risk={e.risk}>
                <td className="mono">{formatTimestamp(e.at)}</td>
                <td className="mono">{e.action}</td>
                <td><RiskBadge risk={e.risk} /></td>
                <td title={e.actor.id}>{e.actor.name}</td>
                <td className="mono">{e.origin}</td>
                <td>{e.target.name ?? e.target.id} <span className="muted">({e.target.type})</span></td>
                <td>{e.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextCursor && (
        <button className="secondary" data-testid="audit-load-more" onClick={() => void audit.getState().loadMore()}>
          Load more
        </button>
      )}
    </Screen>
  );
}
