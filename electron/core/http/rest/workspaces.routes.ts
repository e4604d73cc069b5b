import { WorkspaceSchema } from '@shared/domain/workspace';
import { pageOf } from '@shared/domain/common';
import type { RestRoute } from './rest-router';

/** REST for the foundation's resources. */
export const workspaceRoutes: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/workspaces',
    channel: 'workspaces:list',
    // Few per install, so one page; REST still answers in the list shape every list endpoint uses.
    reply: { map: (items) => ({ items, nextCursor: null }), schema: pageOf(WorkspaceSchema) },
    summary: 'Workspaces the credential can see',
  },
  { method: 'POST', path: '/workspaces', channel: 'workspaces:create', request: { body: true }, status: 201, summary: 'Create a workspace (admin)' },
];
