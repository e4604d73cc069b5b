import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { z } from 'zod';
import type { Actor } from '@shared/domain/actor';
import type { Channel } from '@shared/ipc/contract';
import { HTTP_STATUS, type IpcError } from '@shared/ipc/result';
import type { Core } from '../../index';
import { AppError } from '../../errors';
import { dispatch, toIpcError, type Handlers } from '../../handlers/dispatch';
import { restInput, type RestRequestSpec } from './rest-request';

/** What a REST request resolved to: who is calling, and in which workspace (x-workspace-id, else Default). */
export type RestCaller = { actor: Actor; workspaceId: string };

/**
 * A REST endpoint of the docs, declared as data: it maps onto a contract channel, so REST, IPC and the console
 * share one validated handler, one access check and one audit path. `request` says where each input field comes
 * from; the router builds the input from it and GET /openapi.json documents it, both from the contract's schemas.
 */
export type RestRoute = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Fastify path syntax, e.g. '/secrets/:id' ('*' takes the rest of the path). Same paths as the docs, no prefix. */
  path: string;
  channel: Channel;
  /** One line for the API reference. */
  summary: string;
  /** The API reference's operationId when two routes share a channel (default: from the channel name). */
  operationId?: string;
  /** Where the channel input's fields come from (default: the caller's workspace and the path parameters only). */
  request?: RestRequestSpec;
  /** Success status: 200 by default; 201 for creates; 202 for work queued (a run); 204 sends no body. */
  status?: 200 | 201 | 202 | 204;
  /** No credential needed (sign-in). The caller is an anonymous actor that holds nothing in any workspace. */
  public?: boolean;
  /** Reshapes the channel's output for REST (e.g. a plain array into the `{items,nextCursor}` list shape). */
  reply?: { map: (value: unknown) => unknown; schema: z.ZodType };
  /**
   * Maps a successful channel value onto another status/body (e.g. a failed connection test answers 4xx), with
   * the extra responses it may give, for the API reference.
   */
  respond?: {
    map: (value: unknown) => { status: number; body: unknown; headers?: Record<string, string> };
    responses: Record<string, { description: string; schema: z.ZodType; headers?: Record<string, string> }>;
  };
};

/** Resolves credentials (x-api-key, Authorization: Bearer) to a caller; null → 401. Throws AppError for 403 etc. */
export type Authenticator = (req: FastifyRequest) => RestCaller | null | Promise<RestCaller | null>;

/** Sends `{"error":{code,message,field?}}` with the status of its code (and Retry-After for RATE_LIMITED and BUSY). */
export function sendError(reply: FastifyReply, error: IpcError): FastifyReply {
  if (error.retryAfter !== undefined) void reply.header('retry-after', String(error.retryAfter));
  const body: IpcError = { code: error.code, message: error.message };
  if (error.field !== undefined) body.field = error.field;
  return reply.code(HTTP_STATUS[error.code]).send({ error: body });
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
    return toIpcError(e, core.logger, 'rest:authenticate', 'UNAUTHENTICATED');
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
          input = restInput(route.channel, route.request ?? {}, {
            params: req.params as Record<string, string>,
            query: (req.query ?? {}) as Record<string, unknown>,
            body: req.body,
            workspaceId: caller.workspaceId,
          });
        } catch (e) {
          return sendError(reply, toIpcError(e, deps.core.logger, route.channel));
        }
        const result = await dispatch(deps.handlers, route.channel, input, { actor: caller.actor }, deps.core.logger);
        if (!result.ok) return sendError(reply, result.error);
        if (route.respond) {
          const r = route.respond.map(result.value);
          for (const [k, v] of Object.entries(r.headers ?? {})) void reply.header(k, v);
          return reply.code(r.status).send(r.body);
        }
        if (route.status === 204) return reply.code(204).send();
        return reply.code(route.status ?? 200).send(route.reply ? route.reply.map(result.value) : result.value);
      },
    });
  }
}

/** What every error the edge answers before a route runs carries, like the onRequest hook's answers. */
const EDGE_ERROR_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;

/**
 * The errors Fastify answers before any hook, route or error handler runs, in the same envelopes as every other
 * error (its defaults use their own shape, and the URL ones quote the URL back):
 * - `frameworkErrors`: a URL whose percent-encoding is broken (400) or whose path parameter is over
 *   maxParamLength (414);
 * - `clientErrorHandler`: a request Node's HTTP parser refuses (headers over 16 KiB → 431, a malformed request →
 *   400, too slow to arrive → 408). The URL is unknown there, so it is always the REST envelope.
 * Passed to the Fastify constructor (http-server.ts); `shape` is the one registerErrorHandler gets.
 */
export function edgeErrorOptions(shape: (url: string, error: IpcError) => unknown): Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> {
  return {
    frameworkErrors: (err, req, reply) => {
      const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const error: IpcError = tooLong
        ? { code: 'INVALID_INPUT', message: 'a part of the URL is too long', field: 'path' }
        : { code: 'INVALID_INPUT', message: 'the URL is not valid: check its percent-encoding', field: 'path' };
      void (reply as FastifyReply).code(tooLong ? 414 : 400).headers(EDGE_ERROR_HEADERS).send(shape(req.url, error));
    },
    clientErrorHandler: (err, socket) => {
      // A reset connection has nobody left to answer.
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const [status, reason, message] =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'the request headers are over 16 KiB']
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'Request Timeout', 'the request took too long to arrive']
            : [400, 'Bad Request', 'the request could not be read; check the URL, headers and body'];
      const body = JSON.stringify(shape('', { code: 'INVALID_INPUT', message }));
      if (socket.writable) {
        const headers = Object.entries(EDGE_ERROR_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('');
        socket.write(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${headers}connection: close\r\n\r\n${body}`);
      }
      socket.destroy(err);
    },
  };
}

/**
 * Fastify's own errors (malformed JSON, body over the limit, wrong content type), and ours raised by a hook or the
 * body parser before any route runs, in the same envelope as every other error:
 * `{"error":{code,message}}` for REST, `{ok:false,error}` for the console bridge. Never echoes library text
 * that may quote the body.
 */
export function registerErrorHandler(app: FastifyInstance, shape: (url: string, error: IpcError) => unknown): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    let error: IpcError;
    if (err instanceof AppError) {
      // Our own refusals raised while the request is read (a repeated query parameter, a body nested too deep), as they are.
      error = { code: err.code, message: err.message };
      if (err.field !== undefined) error.field = err.field;
    } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) {
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
