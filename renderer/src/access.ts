import { useCallback } from 'react';
import { roleAllows, type Operation } from '@shared/access/policy';
import { useSession } from './app-context';

/**
 * `can(op)` for screens: what the signed-in role may do in the current workspace, from the same POLICY table the
 * core enforces. Screens hide or disable what it refuses; the core still checks every call.
 */
export function useCan(): (op: Operation) => boolean {
  const role = useSession((s) => (s.currentWorkspaceId ? s.session?.roles[s.currentWorkspaceId] : undefined));
  return useCallback((op: Operation) => role !== undefined && roleAllows(role, op), [role]);
}
