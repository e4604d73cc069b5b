import type { AuditEvent } from '@shared/domain/audit';
import { auditActionLabel } from '@shared/domain/audit.catalog';
import { Modal } from '../../components/dialog';
import { RiskBadge } from '../../components/ui';
import { Timestamp } from '../../components/timestamp';
import { CopyButton } from '../../components/copy-button';
import { OutcomeBadge } from './outcome-badge';
import { useOpenAuditTarget } from './audit-target-link';

const ACTOR_KIND: Readonly<Record<string, string>> = { user: 'User', apiKey: 'API key', system: 'The app itself', local: 'Local user', anonymous: 'Not signed in' };

/**
 * One audit event in full: every field of the row, the details pretty-printed, the target as a link to it. Reading
 * an event is not itself audited (the list already showed it).
 */
export function AuditEventDialog(props: Readonly<{ event: AuditEvent; onClose: () => void }>) {
  const e = props.event;
  const target = useOpenAuditTarget();
  const hasDetails = Object.keys(e.details).length > 0;
  return (
    <Modal
      title={auditActionLabel(e.action)}
      onClose={props.onClose}
      wide
      testId="audit-event-dialog"
      actions={
        <button type="button" className="secondary" data-testid="audit-event-close" onClick={props.onClose} autoFocus>
          Close
        </button>
      }
    >
      <dl className="audit-event-fields">
        <dt>When</dt>
        <dd data-testid="audit-event-when">
          <Timestamp iso={e.at} /> <span className="muted">({e.at.replace('T', ' ').slice(0, 19)} UTC)</span>
        </dd>
        <dt>Event</dt>
        <dd>
          {auditActionLabel(e.action)} <span className="muted mono" data-testid="audit-event-action">{e.action}</span>
        </dd>
        <dt>Outcome</dt>
        <dd>
          <OutcomeBadge outcome={e.outcome} testId="audit-event-outcome" />
        </dd>
        <dt>Risk</dt>
        <dd>
          <RiskBadge risk={e.risk} />
        </dd>
        <dt>Actor</dt>
        <dd data-testid="audit-event-actor">
          {e.actor.name} <span className="muted">({ACTOR_KIND[e.actor.kind] ?? e.actor.kind}, id <span className="mono">{e.actor.id}</span>)</span>
        </dd>
        <dt>From</dt>
        <dd className="mono" data-testid="audit-event-origin">{e.origin}</dd>
        <dt>Target</dt>
        <dd data-testid="audit-event-target">
          {target.canOpen(e) ? (
            <button
              type="button"
              className="link"
              data-testid="audit-event-target-link"
              onClick={() => {
                props.onClose();
                void target.open(e);
              }}
            >
              {e.target.name ?? e.target.id}
            </button>
          ) : (
            <span>{e.target.name ?? e.target.id}</span>
          )}{' '}
          <span className="muted">
            ({e.target.type}, id <span className="mono">{e.target.id}</span>)
          </span>
        </dd>
        <dt>Event id</dt>
        <dd>
          <span className="mono">{e.id}</span> <CopyButton text={e.id} testId="audit-event-copy-id" label="Copy id" />
        </dd>
      </dl>
      <h3 className="audit-event-details-title">Details</h3>
      {hasDetails ? (
        <pre className="audit-event-details" data-testid="audit-event-details">
          {JSON.stringify(e.details, null, 2)}
        </pre>
      ) : (
        <p className="muted" data-testid="audit-event-details">
          None recorded for this event.
        </p>
      )}
    </Modal>
  );
}
