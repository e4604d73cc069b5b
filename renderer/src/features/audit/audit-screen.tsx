import { useEffect, useState } from 'react';
import { AUDIT_ACTIONS, AUDIT_ACTION_LABELS, auditActionLabel, type AuditAction, type Risk } from '@shared/domain/audit.catalog';
import type { AuditEvent } from '@shared/domain/audit';
import { useApp, useAudit, useSession } from '../../app-context';
import { EmptyState, ErrorBanner, RiskBadge, Screen } from '../../components/ui';
import { SelectInput } from '../../components/select-input';
import { isoToLocalInput, localInputToIso, localZoneName } from '../../components/format';
import { Timestamp } from '../../components/timestamp';
import { useCan } from '../../access';
import { Form } from '../../components/form';
import { useRovingList } from '../../components/use-roving-list';
import { AuditEventDialog } from './audit-event-dialog';
import { AuditExportButtons } from './audit-export-buttons';
import { OutcomeBadge } from './outcome-badge';
import './audit.css';

/** The action filter in words, sorted as read ("API key created" … "Workspace renamed"). */
const ACTIONS = (Object.keys(AUDIT_ACTIONS) as AuditAction[])
  .map((value) => ({ value, label: AUDIT_ACTION_LABELS[value] }))
  .sort((a, b) => a.label.localeCompare(b.label));
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

/**
 * Audit log: newest first, filters, keyset "Load more"; high-risk rows are marked, failed and refused ones stand
 * out; a row opens the event in full. Times are local with their zone (UTC on hover), and the date filter takes
 * local times too, so what is typed matches what the table shows.
 */
function AuditLog() {
  const { audit } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const { items, status, error, nextCursor, filters } = useAudit((s) => s);
  const [draft, setDraft] = useState(filters);
  const rowsRef = useRovingList<HTMLTableElement>('tr[data-testid="audit-row"]');
  const [open, setOpen] = useState<AuditEvent | null>(null);
  const zone = localZoneName();

  useEffect(() => {
    if (!workspaceId) return;
    void audit.getState().load(workspaceId);
    return audit.getState().listen(workspaceId);
  }, [workspaceId, audit]);

  return (
    <Screen testId="screen-audit" title={TITLE} subtitle={SUBTITLE}>
      <Form
        className="filters"
        onSubmit={() => {
          if (workspaceId) void audit.getState().load(workspaceId, draft);
        }}
      >
        <label>
          Event
          <SelectInput testId="audit-filter-action" options={ACTIONS} emptyLabel="All events" value={draft.action} onChange={(action) => setDraft({ ...draft, action })} />
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
          From <span className="muted">({zone})</span>
          <input
            type="datetime-local"
            data-testid="audit-filter-from"
            value={isoToLocalInput(draft.from)}
            onChange={(e) => setDraft({ ...draft, from: localInputToIso(e.target.value) })}
          />
        </label>
        <label>
          To <span className="muted">({zone})</span>
          <input type="datetime-local" data-testid="audit-filter-to" value={isoToLocalInput(draft.to)} onChange={(e) => setDraft({ ...draft, to: localInputToIso(e.target.value) })} />
        </label>
        <button type="submit" data-testid="audit-apply">Apply</button>
      </Form>
      <AuditExportButtons />
      <ErrorBanner error={error} />
      {status === 'ready' && items.length === 0 ? (
        <EmptyState title="No events match">Change the filters, or make a change: every create, update, delete and reveal is recorded here.</EmptyState>
      ) : (
        <table className="table audit-table" data-testid="audit-table" ref={rowsRef}>
          <thead>
            <tr>
              <th>When ({zone})</th>
              <th>Event</th>
              <th>Risk</th>
              <th>Actor</th>
              <th>From</th>
              <th>Target</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr
                key={e.id}
                className={[e.risk === 'high' ? 'row-high' : '', e.outcome !== 'success' ? 'row-failed' : ''].join(' ').trim() || undefined}
                data-testid="audit-row"
                data-action={e.action}
                data-risk={e.risk}
                data-outcome={e.outcome}
                onClick={() => setOpen(e)}
              >
                <td className="mono">
                  <Timestamp iso={e.at} />
                </td>
                <td>
                  <button type="button" className="link" data-testid="audit-open" title={e.action} onClick={(ev) => (ev.stopPropagation(), setOpen(e))}>
                    {auditActionLabel(e.action)}
                  </button>
                </td>
                <td>
                  <RiskBadge risk={e.risk} />
                </td>
                <td title={e.actor.id}>{e.actor.name}</td>
                <td className="mono">{e.origin}</td>
                <td>
                  {e.target.name ?? e.target.id} <span className="muted">({e.target.type})</span>
                </td>
                <td>
                  <OutcomeBadge outcome={e.outcome} />
                </td>
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
      {open && <AuditEventDialog event={open} onClose={() => setOpen(null)} />}
    </Screen>
  );
}
