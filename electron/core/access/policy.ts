/**
 * The permission table lives in shared/ so the renderer hides exactly what the core refuses; the core keeps
 * importing it from here.
 */
export { SCOPES, POLICY, OPERATIONS, roleAllows, scopesAllow } from '@shared/access/policy';
export type { Scope, Operation } from '@shared/access/policy';
