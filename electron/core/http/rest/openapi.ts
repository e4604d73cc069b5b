import { z } from 'zod';
import { contract } from '@shared/ipc/contract';
import type { RestRoute } from './rest-router';

const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});

const json = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' });

const ERRORS: Record<string, string> = {
  '400': 'Invalid input; the message names the field',
  '401': 'No credential, or one that is not valid (revoked key, expired or forged token)',
  '403': 'The role, the key scopes or the workspace do not allow it',
  '404': 'Not found',
  '409': 'Conflict with an existing resource',
  '413': 'Body over the 1 MiB limit',
  '429': 'Too many failed sign-ins; see Retry-After',
};

/**
 * GET /openapi.json, generated from the route tables and the contract's zod schemas, so the document cannot
 * describe an endpoint differently from how it behaves.
 */
export function buildOpenApi(routes: readonly RestRoute[], info: { version: string; serverUrl?: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z0-9_]+)\+?/g, '{$1}');
    const params = [...r.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = r.query ? json(r.query, 'input') : null;
    const queryParams = query && typeof query.properties === 'object' && query.properties
      ? Object.entries(query.properties as Record<string, unknown>).map(([name, schema]) => ({ name, in: 'query', required: false, schema }))
      : [];
    const headerParams = r.public ? [] : [{ name: 'x-workspace-id', in: 'header', required: false, schema: { type: 'string', format: 'uuid' }, description: 'Workspace to act in (default: the Default workspace, or the API key\'s own)' }];
    const output = r.reply?.schema ?? contract[r.channel].output;
    const ok = String(r.status ?? 200);
    const responses: Record<string, unknown> = {
      [ok]: r.status === 204 ? { description: 'Done' } : { description: 'OK', content: { 'application/json': { schema: json(output, 'output') } } },
    };
    const relevant = r.public ? ['400', '429'] : ['400', '401', '403', '404', '409', '413'];
    for (const code of relevant) responses[code] = { description: ERRORS[code], content: { 'application/json': { schema: json(ErrorSchema, 'output') } } };
    const op: Record<string, unknown> = {
      operationId: r.channel.replace(':', '_'),
      summary: r.summary ?? r.channel,
      parameters: [...params, ...queryParams, ...headerParams],
      responses,
      security: r.public ? [] : [{ apiKey: [] }, { bearer: [] }],
    };
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: json(r.body, 'input') } } };
    paths[path] = { ...paths[path], [r.method.toLowerCase()]: op };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'ProvenanceOne Desktop REST API', version: info.version },
    servers: info.serverUrl ? [{ url: info.serverUrl }] : [],
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
    paths,
  };
}
