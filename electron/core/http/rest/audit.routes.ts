import { z } from 'zod';
import { AuditActionSchema, RiskSchema } from '@shared/domain/audit';
import { listQuery, type RestRoute } from './rest-router';

/** The audit log over REST (audit:read scope or admin role), newest first, keyset-paginated. */
export const auditRoutes: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/audit-events',
    channel: 'audit:list',
    input: (r) => ({ ...listQuery(r.query), workspaceId: r.workspaceId }),
    query: z.object({
      action: AuditActionSchema.optional(),
      risk: RiskSchema.optional(),
      actor: z.string().optional(),
      from: z.iso.datetime().optional(),
      to: z.iso.datetime().optional(),
      limit: z.number().int().min(1).max(500).optional(),
      cursor: z.string().optional(),
    }),
    summary: 'Audit events of the workspace, newest first',
  },
];
