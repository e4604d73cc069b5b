import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '@shared/domain/actor';
import type { Channel } from '@shared/ipc/contract';
import { HTTP_STATUS, type IpcError } from '@shared/ipc/result';
import type { Core } from '../../index';
import { dispatch, type Handlers } from '../../ipc/dispatch';

/** What a REST request resolved to: who is calling, and in which workspace (x-workspace-id, else Default). */
export type RestCaller = { actor: Actor; workspaceId: string };
export type RestRequestParts = {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  workspaceId: string;
};

/**
 * A REST endpoint of the docs, declared as data: it maps onto a contract channel, so REST, IPC and the console
 * share one validated handler, one access check and one audit path. `input` builds the channel input.
 */
export type RestRoute = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Fastify path syntax, e.g. '/secrets/:id'. Same paths as the docs, no prefix. */
  path: string;
  channel: Channel;
  input: (req: RestRequestParts) => unknown;
  /** Success status: 200 by default; 201 for creates; 204 sends no body. */
  status?: 200 | 201 | 202 | 204;
  summary?: string;
  /** Maps a successful channel value onto another status/body (e.g. a failed connection test answers 4xx). */
  respond?: (value: unknown) => { status: number; body: unknown; headers?: Record<string, string> };
};

/** Resolves credentials (x-api-key, Authorization: Bearer) to a caller; null → 401. Throws AppError for 403 etc. */
export type Authenticator = (req: FastifyRequest) => RestCaller | null | Promise<RestCaller | null>;

export function sendError(reply: FastifyReply, error: IpcError): FastifyReply {
  const body = error.field === undefined ? { code: error.code, message: error.message } : error;
  return reply.code(HTTP_STATUS[error.code]).send({ error: body });
}

/** Registers route tables on the app. Errors are `{"error":{"code","message"}}` with the status of their code. */
export function registerRestRoutes(
  app: FastifyInstance,
  deps: { core: Core; handlers: Handlers; routes: readonly RestRoute[]; authenticate: Authenticator },
): void {
  for (const route of deps.routes) {
    app.route({
      method: route.method,
      url: route.path,
      handler: async (req, reply) => {
        let caller: RestCaller | null;
        try {
          caller = await deps.authenticate(req);
        } catch (e) {
          const err = e as { code?: IpcError['code']; message?: string };
          return sendError(reply, { code: err.code ?? 'UNAUTHENTICATED', message: err.message ?? 'authentication failed' });
        }
        if (!caller) {
          return sendError(reply, { code: 'UNAUTHENTICATED', message: 'send an API key in x-api-key or a JWT in Authorization: Bearer' });
        }
        const input = route.input({
          params: req.params as Record<string, string>,
          query: (req.query ?? {}) as Record<string, unknown>,
          body: req.body,
          workspaceId: caller.workspaceId,
        });
        const result = await dispatch(deps.handlers, route.channel, input, { actor: caller.actor }, deps.core.logger);
        if (!result.ok) return sendError(reply, result.error);
        if (route.respond) {
          const r = route.respond(result.value);
          for (const [k, v] of Object.entries(r.headers ?? {})) void reply.header(k, v);
          return reply.code(r.status).send(r.body);
        }
        if (route.status === 204) return reply.code(204).send();
        return reply.code(route.status ?? 200).send(result.value);
      },
    });
  }
}

/** Query strings arrive as text; list routes turn `limit` into a number here so the contract can stay strict. */
export function pageQuery(query: Record<string, unknown>): { limit?: number; cursor?: string } {
  const out: { limit?: number; cursor?: string } = {};
  if (typeof query.limit === 'string' && query.limit !== '') out.limit = Number(query.limit);
  if (typeof query.cursor === 'string' && query.cursor !== '') out.cursor = query.cursor;
  return out;
}
