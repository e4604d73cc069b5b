import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { PUSH_EVENTS } from '@shared/ipc/channels';
import { BridgeRequestSchema, streamsContract } from '@shared/ipc/rest.contract';
import { fail, HTTP_STATUS, type IpcError } from '@shared/ipc/result';
import type { Actor } from '@shared/domain/actor';
import type { Core } from '../index';
import { dispatch, toIpcError, type Handlers } from '../handlers/dispatch';
import { edgeErrorOptions, registerErrorHandler, registerRestRoutes, sendError } from './rest/rest-router';
import { REST_ROUTES } from './rest/routes';
import { createAuthenticator } from './rest/auth';
import { buildOpenApi } from './openapi-document';
import { AppError } from '../errors';
import { registerDatastoreHttp } from './datastore-http';
import { configureRestBodies } from './rest/rest-bodies';
import { singleValued } from './rest/rest-request';
import { STREAM_ROUTES } from './stream-routes';
import { registerApiReference } from './api-reference';
import { createConsoleAuth } from './console-auth';

export type HttpServerOptions = {
  /** Always loopback: the console and the API are for this workstation only. */
  host?: '127.0.0.1';
  port: number;
  /**
   * Random per launch; gates the console's routes, only ever from its header (console-auth.ts). Without it the server
   * is REST only (the desktop app's).
   */
  consoleToken?: string;
  /** Built renderer (out/renderer) to serve at '/', if any. */
  rendererDir?: string;
  /** Extra routes (the REST API) registered by later capabilities. */
  routes?: Array<(app: FastifyInstance, ctx: { core: Core; handlers: Handlers }) => void>;
  bodyLimit?: number;
  authenticate?: import('./rest/rest-router').Authenticator;
  /**
   * The desktop's upload endpoint: only /health and the signed upload URLs (their token is the credential), no REST
   * API, no downloads, no console. Served while Settings → REST API is off, so issued upload URLs always work.
   */
  uploadsOnly?: boolean;
};

export { CONSOLE_TOKEN_HEADER, USER_TOKEN_HEADER } from './console-auth';
/** A vault backup of up to 64 MiB, base64-encoded, inside the JSON envelope. */
export const BRIDGE_BODY_LIMIT = 96 * 1024 * 1024;

/** The CSP the renderer runs under, in the Electron window and in the console alike. */
export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** Errors in the console bridge's envelope under /ipc/, the REST one everywhere else. */
const errorEnvelope = (url: string, error: IpcError) => (url.startsWith('/ipc/') ? { ok: false, error } : { error });

/**
 * The loopback HTTP server of the headless console: the renderer, the IPC contract (POST /ipc/:channel), push
 * events (GET /ipc-events, SSE, opened with a ticket from POST /console/tickets) and /health. Host and Origin are checked on every request, so a web page the admin
 * happens to visit cannot reach it by DNS rebinding or cross-site requests.
 */
export function createHttpServer(core: Core, handlers: Handlers, opts: HttpServerOptions) {
  // forceCloseConnections: open SSE streams and keep-alive sockets must not hold a shutdown hostage.
  const app = Fastify({ logger: false, bodyLimit: opts.bodyLimit ?? 1024 * 1024, trustProxy: false, forceCloseConnections: true,
    // Object keys (up to 1024 UTF-8 bytes, percent-encoded) and signed upload tokens travel as path parameters.
    routerOptions: { maxParamLength: 8192 }, ...edgeErrorOptions(errorEnvelope) });
  let port = opts.port;
  // The console bridge wraps a channel's input in {input}: one level more than the input itself.
  configureRestBodies(app, { envelopeDepth: (req) => (req.url.startsWith('/ipc/') ? 1 : 0) });
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  // The bridge (/ipc/) answers in its own envelope {ok:false,error}, the rest of the server in the REST one.
  const refuse = (req: FastifyRequest, reply: FastifyReply, message: string) => {
    const error = { code: 'FORBIDDEN' as const, message };
    return reply.code(403).send(req.url.startsWith('/ipc/') ? { ok: false, error } : { error });
  };
  app.addHook('onRequest', async (req, reply) => {
    const host = req.headers.host ?? '';
    if (!allowedHosts().has(host)) return refuse(req, reply, 'requests must be addressed to 127.0.0.1');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return refuse(req, reply, 'cross-origin requests are not allowed');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-store');
  });
  // A repeated query parameter is bad input on every route, before any credential or body is read.
  app.addHook('onRequest', async (req) => singleValued(req.query));

  // The console's credentials: its token and a user's JWT in headers only; tickets for links and the event stream.
  const consoleAuth = opts.consoleToken ? createConsoleAuth(core, opts.consoleToken) : null;

  // Fastify's own errors (bad JSON, too large, wrong content type) in our envelopes, never its default shape.
  registerErrorHandler(app, errorEnvelope);

  // What must stay true: no SQL (and nothing else that can wait on the database) on this path, so /health answers
  // while another process holds the database's write lock; requests then answer 503 BUSY on their own.
  app.get('/health', async () => ({ status: 'ok' }));

  if (consoleAuth) registerConsoleBridge(consoleAuth);
  function registerConsoleBridge(auth: NonNullable<typeof consoleAuth>): void {
    // The bridge carries vault backups (base64) too, so its body limit is larger; the console token is checked
    // before the body is read, so only the console itself can send that much.
    const bridgeAuth = async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        auth.assertConsoleToken(req);
      } catch (e) {
        const err = e instanceof AppError ? e : new AppError('UNAUTHENTICATED', 'the console token is missing or wrong');
        return reply.code(401).send(fail('UNAUTHENTICATED', err.message, err.field));
      }
    };
    app.post('/ipc/:channel', { bodyLimit: BRIDGE_BODY_LIMIT, onRequest: bridgeAuth }, async (req, reply) => {
      let actor: Actor;
      try {
        actor = await auth.actor(req);
      } catch (e) {
        const err = e instanceof AppError ? e : new AppError('UNAUTHENTICATED', 'sign in again');
        return reply.code(401).send(fail('UNAUTHENTICATED', err.message));
      }
      // The envelope is {input} and nothing else: a misspelt `inputs` is named, not dispatched as no input.
      const envelope = BridgeRequestSchema.safeParse(req.body ?? {});
      if (!envelope.success) return reply.code(400).send({ ok: false, error: toIpcError(envelope.error, core.logger, 'ipc:bridge') });
      const result = await dispatch(handlers, (req.params as { channel: string }).channel, envelope.data.input, { actor }, core.logger);
      // The envelope is the contract; the status (and Retry-After) mirror it for curl users and proxies.
      if (!result.ok && result.error.retryAfter !== undefined) void reply.header('retry-after', String(result.error.retryAfter));
      return reply.code(result.ok ? 200 : HTTP_STATUS[result.error.code]).send(result);
    });

    // A ticket for a URL that cannot send headers, minted over the headers; checked before the body is read.
    const ticketAuth = async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        auth.assertConsoleToken(req);
      } catch (e) {
        return sendError(reply, toIpcError(e, core.logger, 'console:tickets', 'UNAUTHENTICATED'));
      }
    };
    app.post(STREAM_ROUTES['console:tickets:create'].path, { onRequest: ticketAuth }, async (req, reply) => {
      try {
        const [unknown] = Object.keys((req.query ?? {}) as object);
        if (unknown !== undefined) throw new AppError('INVALID_INPUT', `unknown query parameter: ${unknown}`, unknown);
        const grant = streamsContract['console:tickets:create'].body.parse(req.body ?? {});
        return reply.send(await auth.issue(req, grant));
      } catch (e) {
        return sendError(reply, toIpcError(e, core.logger, 'console:tickets'));
      }
    });

    // EventSource cannot send headers: an events ticket opens one stream (it is spent when the stream opens).
    // No automatic HEAD twin: the stream hijacks the reply and writes its headers with the first event, which a HEAD
    // answer would drop, leaving the client waiting on an open connection. HEAD /ipc-events is a 404.
    app.get(STREAM_ROUTES['console:events'].path, { exposeHeadRoute: false }, (req, reply) => {
      try {
        auth.redeem(auth.ticketIn(req), { purpose: 'events' });
      } catch (e) {
        void sendError(reply, toIpcError(e, core.logger, 'console:events'));
        return;
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      const unsubscribe = core.bus.subscribe((event, payload) => {
        if ((PUSH_EVENTS as readonly string[]).includes(event)) res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
      });
      const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
      req.raw.on('close', () => {
        clearInterval(ping);
        unsubscribe();
      });
    });
  }

  // The REST API of the docs (same paths, no prefix), authenticated by API key or JWT, never by the console token.
  // An uploads-only endpoint authenticates nobody: only the signed upload URLs (which carry their own grant) work.
  const authenticate = opts.uploadsOnly ? () => null : (opts.authenticate ?? createAuthenticator(core));
  if (!opts.uploadsOnly) registerRestRoutes(app, { core, handlers, routes: REST_ROUTES, authenticate });
  // Object bytes (downloads, pre-signed PUTs, console uploads) stream outside the JSON body limit.
  registerDatastoreHttp(app, { core, authenticate, console: consoleAuth });
  if (!opts.uploadsOnly) {
    // The document is built on first request (start-up does not pay for it), for the port the server listens on.
    let openApi: { port: number; doc: Record<string, unknown> } | null = null;
    app.get('/openapi.json', async (_req, reply) => {
      if (openApi?.port !== port) {
        openApi = { port, doc: buildOpenApi({ version: core.config.version, serverUrl: `http://127.0.0.1:${port}`, routes: REST_ROUTES, console: !!opts.consoleToken }) };
      }
      return reply.send(openApi.doc);
    });
    registerApiReference(app, { csp: RENDERER_CSP });
  }
  for (const register of opts.routes ?? []) register(app, { core, handlers });

  if (opts.rendererDir && fs.existsSync(path.join(opts.rendererDir, 'index.html'))) {
    void app.register(fastifyStatic, {
      root: opts.rendererDir,
      prefix: '/',
      index: ['index.html'],
      wildcard: false,
      // The build writes brotli copies of the scripts and styles (electron.vite.config.ts): served to browsers that
      // accept br, the first load moves a quarter of the bytes.
      preCompressed: true,
      setHeaders: (reply, filePath) => {
        void reply.header('content-security-policy', RENDERER_CSP);
        // Everything under assets/ is named by its content hash, so a browser may keep it; index.html never is.
        if (path.relative(opts.rendererDir!, filePath).startsWith(`assets${path.sep}`)) {
          void reply.header('cache-control', 'public, max-age=31536000, immutable');
        }
      },
    });
  }

  app.setNotFoundHandler((_req, reply) => {
    void sendError(reply, { code: 'NOT_FOUND', message: 'no such endpoint' });
  });

  return {
    app,
    async listen(): Promise<{ port: number; url: string }> {
      await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port });
      const addr = app.server.address();
      if (addr && typeof addr === 'object') port = addr.port;
      // Filesystem datastores' pre-signed upload URLs point here (the upload endpoint hands its URL to its starter).
      if (!opts.uploadsOnly) core.datastores.setLocalApiUrl(`http://127.0.0.1:${port}`);
      return { port, url: `http://127.0.0.1:${port}` };
    },
    close: () => {
      if (!opts.uploadsOnly) core.datastores.setLocalApiUrl(null);
      return app.close();
    },
  };
}
export type HttpServer = ReturnType<typeof createHttpServer>;
