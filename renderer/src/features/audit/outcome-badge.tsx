import { CircleCheck, CircleX, ShieldX } from 'lucide-react';
import { AUDIT_OUTCOME_LABELS, type AuditOutcome } from '@shared/domain/audit.catalog';

/** An event's outcome: a failure or a refusal stands out by colour, icon and word (never by colour alone). */
export function OutcomeBadge(props: Readonly<{ outcome: AuditOutcome; testId?: string }>) {
  const Icon = props.outcome === 'success' ? CircleCheck : props.outcome === 'denied' ? ShieldX : CircleX;
  return (
    <span className={`outcome outcome-${props.outcome}`} data-testid={props.testId} data-outcome={props.outcome}>
      <Icon size={14} aria-hidden="true" /> {AUDIT_OUTCOME_LABELS[props.outcome]}
    </span>
  );
}
