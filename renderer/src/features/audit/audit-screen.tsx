import { useEffect, useState } from 'react';
import { AUDIT_ACTIONS, type AuditAction, type Risk } from '@shared/domain/audit.catalog';
import { useApp, useAudit, useSession } from '../app-context';
import { EmptyState, ErrorBanner, RiskBadge, ScreenHeader } from '../components/ui';
import { useCan } from '../access';

const ACTIONS = Object.keys(AUDIT_ACTIONS) as AuditAction[];

/** The audit log needs audit.read (admins); other roles see why it is empty instead of an error. */
export function AuditScreen() {
  const can = useCan();
  if (can('audit.read')) return <AuditLog />;
  return (
    <section className="screen" data-testid="screen-audit">
      <ScreenHeader title="Audit log" subtitle="Every change and every access to a secret or credential, newest first." />
      <EmptyState title="Admins only" testId="audit-not-allowed">Your role in this workspace cannot read the audit log; ask an admin of this workspace.</EmptyState>
    </section>
  );
}

/** Audit log: newest first, filters, keyset "Load more"; high-risk rows are marked. */
function AuditLog() {
  const { audit, api } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const { items, status, error, nextCursor, filters } = useAudit((s) => s);
  const [draft, setDraft] = useState(filters);

  useEffect(() => {
    if (workspaceId) void audit.getState().load(workspaceId);
  }, [workspaceId, audit]);

  useEffect(
    () => api.on('audit:appended', (p) => {
      const st = audit.getState();
      if (workspaceId && p.workspaceId === workspaceId && !st.nextCursor && st.items.length < 50) void st.load(workspaceId);
    }),
    [api, audit, workspaceId],
  );

  const apply = () => workspaceId && void audit.getState().load(workspaceId, draft);
  const toIso = (v: string) => (v ? new Date(v).toISOString() : undefined);

  return (
    <section className="screen" data-testid="screen-audit">
      <ScreenHeader title="Audit log" subtitle="Every change and every access to a secret or credential, newest first." />
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <label>
          Action
          <select data-testid="audit-filter-action" value={draft.action ?? ''} onChange={(e) => setDraft({ ...draft, action: (e.target.value || undefined) as AuditAction | undefined })}>
            <option value="">All actions</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          Risk
          <select data-testid="audit-filter-risk" value={draft.risk ?? ''} onChange={(e) => setDraft({ ...draft, risk: (e.target.value || undefined) as Risk | undefined })}>
            <option value="">Any risk</option>
            <option value="high">High</option>
            <option value="medium">Medium</option>
            <option value="low">Low</option>
          </select>
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
      </form>
      <ErrorBanner error={error} />
      {status === 'ready' && items.length === 0 ? (
        <EmptyState title="No events match">Change the filters, or make a change: every create, update, delete and reveal is recorded here.</EmptyState>
      ) : (
        <table className="table" data-testid="audit-table">
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
                <td className="mono">{e.at.replace('T', ' ').slice(0, 19)}</td>
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
    </section>
  );
}
