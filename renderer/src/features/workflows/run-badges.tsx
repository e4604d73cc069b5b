import type { RunStatus, StepStatus } from '@shared/domain/workflow.catalog';

/** A run's or a step's status as a badge (class `status-<status>` colours it; `data-status` is for tests). */
export function StatusBadge(props: Readonly<{ status: RunStatus | StepStatus; testId?: string }>) {
  return (
    <span className={`badge run-status status-${props.status}`} data-testid={props.testId ?? 'run-status'} data-status={props.status}>
      {props.status}
    </span>
  );
}

/** A run's or a step's duration: ms below a second, then seconds, then minutes. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Who started a run, in words. */
export function actorLabel(a: { kind: string; id: string | null; name: string | null }): string {
  return a.name ?? (a.kind === 'system' ? 'the scheduler' : (a.id ?? a.kind));
}
