import { useEffect, type ReactNode } from 'react';
import type { Operation } from '@shared/access/policy';
import { useSession } from '../../app-context';
import { useCan } from '../../access';

/**
 * The current workspace, whether the role may `op` there, and the section's list loaded once it may (a refused role
 * does not ask: the core would refuse the list too).
 */
export function useRestrictedList(op: Operation, load: (workspaceId: string) => Promise<void>): { ws: string | undefined; allowed: boolean } {
  const ws = useSession((s) => s.currentWorkspaceId);
  const allowed = useCan()(op);
  useEffect(() => {
    if (ws && allowed) void load(ws);
  }, [ws, allowed, load]);
  return { ws, allowed };
}

/**
 * A Settings card that only some roles may use: the others see what it is for and why they cannot, instead of
 * controls the core would refuse anyway.
 */
export function RestrictedSection(
  props: Readonly<{ title: string; intro: ReactNode; testId: string; allowed: boolean; notAllowed: string; notAllowedTestId: string; children: ReactNode }>,
) {
  return (
    <div className="card" data-testid={props.testId}>
      <h2>{props.title}</h2>
      <p className="muted">{props.intro}</p>
      {props.allowed ? (
        props.children
      ) : (
        <p className="muted" data-testid={props.notAllowedTestId}>
          {props.notAllowed}
        </p>
      )}
    </div>
  );
}
