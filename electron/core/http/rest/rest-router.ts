import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Actor } from '@shared/domain/actor';
import type { Channel } from '@shared/ipc/contract';
import { HTTP_STATUS, type IpcError } from '@shared/ipc/result';
import type { Core } from '../../index';
import { AppError, invalid } from '../../errors';
import { dispatch, type Handlers } from '../../handlers/dispatch';

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
  /** No credential needed (sign-in). The caller is an anonymous actor that holds nothing in any workspace. */
  public?: boolean;
  /** For GET /openapi.json: the JSON body and query parameters as the client sends them (default: none). */
  body?: z.ZodType;
  query?: z.ZodType;
  /** Reshapes the channel's output for REST (e.g. a plain array into the `{items,nextCursor}` list shape). */
  reply?: { map: (value: unknown) => unknown; schema: z.ZodType };
};

/** Resolves credentials (x-api-key, Authorization: Bearer) to a caller; null → 401. Throws AppError for 403 etc. */
export type Authenticator = (req: FastifyRequest) => RestCaller | null | Promise<RestCaller | null>;

export function sendError(reply: FastifyReply, error: IpcError): FastifyReply {
  if (error.retryAfter !== undefined) void reply.header('retry-after', String(error.retryAfter));
  const body: IpcError = { code: error.code, message: error.message };
  if (error.field !== undefined) body.field = error.field;
  return reply.code(HTTP_STATUS[error.code]).send({ error: body });
}

/** An AppError (or anything thrown) as the error envelope's payload, never leaking library text. */
export function asIpcError(e: unknown, fallback: IpcError['code']): IpcError {
  if (e instanceof AppError) {
    const out: IpcError = { code: e.code, message: e.message };
    if (e.field !== undefined) out.field = e.field;
    if (e.retryAfter !== undefined) out.retryAfter = e.retryAfter;
    return out;
  }
  return { code: fallback, message: fallback === 'UNAUTHENTICATED' ? 'authentication failed' : 'something went wrong inside the app' };
}

/** Resolves the caller of a route: anonymous for public routes, otherwise the authenticator's answer or an error. */
export async function resolveCaller(req: FastifyRequest, core: Core, authenticate: Authenticator, isPublic = false): Promise<RestCaller | IpcError> {
  if (isPublic) {
    return { actor: { kind: 'anonymous', id: 'anonymous', name: 'anonymous', origin: req.ip }, workspaceId: core.workspaces.defaultWorkspace().id };
  }
  try {
    const caller = await authenticate(req);
    return caller ?? { code: 'UNAUTHENTICATED', message: 'send an API key in x-api-key or a JWT in Authorization: Bearer' };
  } catch (e) {
    return asIpcError(e, 'UNAUTHENTICATED');
  }
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
        const caller = await resolveCaller(req, deps.core, deps.authenticate, route.public);
        if ('code' in caller) return sendError(reply, caller);
        let input: unknown;
        try {
          input = route.input({
            params: req.params as Record<string, string>,
            query: (req.query ?? {}) as Record<string, unknown>,
            body: req.body,
            workspaceId: caller.workspaceId,
          });
        } catch (e) {
          return sendError(reply, asIpcError(e, 'INVALID_INPUT'));
        }
        const result = await dispatch(deps.handlers, route.channel, input, { actor: caller.actor }, deps.core.logger);
        if (!result.ok) return sendError(reply, result.error);
        if (route.respond) {
          const r = route.respond(result.value);
          for (const [k, v] of Object.entries(r.headers ?? {})) void reply.header(k, v);
          return reply.code(r.status).send(r.body);
        }
        if (route.status === 204) return reply.code(204).send();
        return reply.code(route.status ?? 200).send(route.reply ? route.reply.map(result.value) : result.value);
      },
    });
  }
}

/**
 * Fastify's own errors (malformed JSON, body over the limit, wrong content type) in the same envelope as ours:
 * `{"error":{code,message}}` for REST, `{ok:false,error}` for the console bridge. Never echoes library text
 * that may quote the body.
 */
export function registerErrorHandler(app: FastifyInstance, shape: (url: string, error: IpcError) => unknown): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    let error: IpcError;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) {
      error = { code: 'PAYLOAD_TOO_LARGE', message: 'the request body is over the 1 MiB limit; send large objects through an upload URL', field: 'body' };
    } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      error = { code: 'INVALID_INPUT', message: 'send the body as JSON with content-type: application/json', field: 'content-type' };
    } else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      error = { code: 'INVALID_INPUT', message: 'the body is empty; send a JSON object (or no content-type header)', field: 'body' };
    } else if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      error = { code: 'INVALID_INPUT', message: 'the body is not valid JSON', field: 'body' };
    } else if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      error = { code: 'INVALID_INPUT', message: 'the request could not be read; check the URL, headers and body' };
    } else {
      error = { code: 'INTERNAL', message: 'something went wrong inside the app; the details are in the app log' };
    }
    return reply.code(HTTP_STATUS[error.code]).send(shape(req.url, error));
  });
}

/** Query strings arrive as text; list routes turn `limit` into a number here so the contract can stay strict. */
export function pageQuery(query: Record<string, unknown>): { limit?: number; cursor?: string } {
  const out: { limit?: number; cursor?: string } = {};
  if (typeof query.limit === 'string' && query.limit !== '') out.limit = Number(query.limit);
  if (typeof query.cursor === 'string' && query.cursor !== '') out.cursor = query.cursor;
  return out;
}

/**
 * All query parameters, `limit` as a number, for list routes whose contract is strict: an unknown parameter then
 * reaches zod and comes back as "unknown field: x" instead of being ignored.
 */
export function listQuery(query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) throw invalid(`${k} may be given once`, k);
    if (v === '') continue;
    out[k] = k === 'limit' && typeof v === 'string' ? Number(v) : v;
  }
  return out;
}

/**
 * The JSON body as an object, merged with what the URL and headers decide. A body that is not an object, or
 * that tries to set one of those (e.g. its own workspaceId or id), is refused naming the field.
 */
export function bodyWith(body: unknown, fixed: Record<string, unknown>, allowed: readonly string[] = []): Record<string, unknown> {
  if (body === undefined || body === null) return { ...fixed };
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('the body must be a JSON object', 'body');
  for (const k of Object.keys(fixed)) {
    if (Object.hasOwn(body, k) && !allowed.includes(k)) throw invalid(`unknown field: ${k}`, k);
  }
  return { ...(body as Record<string, unknown>), ...fixed };
}
