import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '@shared/domain/actor';
import { streamsContract, type ObjectDownloadHeaders } from '@shared/ipc/rest.contract';
import type { Core } from '../index';
import { AppError } from '../errors';
import type { ConsoleAuth } from './console-auth';
import { toIpcError } from '../handlers/dispatch';
import { sendError, type Authenticator } from './rest/rest-router';
import { flag } from './rest/rest-request';
import { STREAM_ROUTES } from './stream-routes';

type Deps = {
  core: Core;
  authenticate: Authenticator;
  /**
   * The console's credentials (console-auth.ts): its caller from headers (x-console-token; x-user-token for a
   * signed-in user) for uploads, a download ticket for links. Null when this server has no console (the desktop
   * app's REST server).
   */
  console: ConsoleAuth | null;
};

function fail(reply: FastifyReply, e: unknown, core: Core): FastifyReply {
  return sendError(reply, toIpcError(e, core.logger, 'datastores:http'));
}

/** Path parameters as the route's contract names them (`*` → key). A ZodError becomes a 400 naming the field. */
function pathParams(req: FastifyRequest, rename: Readonly<Record<string, string>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.params as Record<string, string>)) out[rename[k] ?? k] = v;
  return out;
}

/** An AbortSignal that fires if the client goes away before its request body is complete. */
function clientGone(req: FastifyRequest): AbortSignal {
  const c = new AbortController();
  req.raw.on('close', () => {
    if (!req.raw.complete) c.abort();
  });
  return c.signal;
}

function contentDisposition(key: string): string {
  const name = key.split('/').pop() || 'download';
  return `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Routes that carry object bytes, streamed both ways and not subject to the 1 MiB JSON body limit:
 * REST download and upload (resumable on S3) with the status of a resumable upload, the pre-signed PUT of
 * filesystem datastores, and the console's upload/download.
 */
export function registerDatastoreHttp(app: FastifyInstance, deps: Deps): void {
  const { core } = deps;
  const ds = core.datastores;

  async function download(reply: FastifyReply, actor: Actor, workspaceId: string, datastoreId: string, key: string, attachment: boolean) {
    const { object, stream } = await ds.read(actor, workspaceId, datastoreId, key);
    const headers: ObjectDownloadHeaders = {
      'content-type': object.contentType,
      'content-length': object.size,
      'x-content-sha256': object.sha256,
      // Preview of user content must not run as part of the console's origin.
      'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    };
    if (attachment) headers['content-disposition'] = contentDisposition(object.key);
    return reply.headers(headers).send(stream);
  }

  const restDownload = STREAM_ROUTES['datastores:objects:download'];
  app.get(restDownload.path, async (req, reply) => {
    try {
      const caller = await deps.authenticate(req);
      if (!caller) throw new AppError('UNAUTHENTICATED', 'send an API key in x-api-key or a JWT in Authorization: Bearer');
      const { id, key } = streamsContract['datastores:objects:download'].params.parse(pathParams(req, restDownload.params));
      return await download(reply, caller.actor, caller.workspaceId, id, key, false);
    } catch (e) {
      return fail(reply, e, core);
    }
  });

  app.get(STREAM_ROUTES['datastores:uploads:status'].path, async (req, reply) => {
    try {
      const caller = await deps.authenticate(req);
      if (!caller) throw new AppError('UNAUTHENTICATED', 'send an API key in x-api-key or a JWT in Authorization: Bearer');
      const c = streamsContract['datastores:uploads:status'];
      const { id } = c.params.parse(pathParams(req));
      const q = c.query.parse(req.query);
      const status = await ds.uploadStatus(caller.actor, { workspaceId: caller.workspaceId, datastoreId: id, key: q.key, size: Number(q.size), fingerprint: q.fingerprint });
      return reply.code(200).send(status);
    } catch (e) {
      return fail(reply, e, core);
    }
  });

  const consoleAuth = deps.console;
  if (!consoleAuth) {
    registerRawPut(app, deps, null);
    return;
  }
  const consoleActor = consoleAuth.actor;

  app.get(STREAM_ROUTES['console:objects:download'].path, async (req, reply) => {
    try {
      const c = streamsContract['console:objects:download'];
      // A link cannot send headers: its one credential is a ticket for this object, acting as whoever minted it.
      const ticket = consoleAuth.ticketIn(req);
      const { id } = c.params.parse(pathParams(req));
      const q = c.query.parse(req.query);
      const actor = consoleAuth.redeem(ticket, { purpose: 'download', workspaceId: q.workspaceId, datastoreId: id, key: q.key });
      return await download(reply, actor, q.workspaceId, id, q.key, flag(q.download));
    } catch (e) {
      return fail(reply, e, core);
    }
  });

  registerRawPut(app, deps, consoleActor);
}

function registerRawPut(app: FastifyInstance, deps: Deps, consoleActor: ConsoleAuth['actor'] | null): void {
  const { core } = deps;
  const ds = core.datastores;
  // Raw bodies: an encapsulated scope whose parser leaves the request stream untouched for the handler.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

    scope.put(STREAM_ROUTES['datastores:objects:signedPut'].path, async (req, reply) => {
      try {
        const { id, token } = streamsContract['datastores:objects:signedPut'].params.parse(pathParams(req));
        const object = await ds.putWithUploadToken(id, token, req.headers['content-type'], req.raw);
        return reply.code(200).send({ key: object.key, size: object.size, sha256: object.sha256 });
      } catch (e) {
        return fail(reply, e, core);
      }
    });

    const restPut = STREAM_ROUTES['datastores:objects:put'];
    scope.put(restPut.path, async (req, reply) => {
      try {
        const caller = await deps.authenticate(req);
        if (!caller) throw new AppError('UNAUTHENTICATED', 'send an API key in x-api-key or a JWT in Authorization: Bearer');
        const c = streamsContract['datastores:objects:put'];
        const { id, key } = c.params.parse(pathParams(req, restPut.params));
        const h = c.headers.parse(req.headers);
        const object = await ds.putResumable(caller.actor, {
          workspaceId: caller.workspaceId,
          datastoreId: id,
          key,
          body: req.raw,
          contentType: h['content-type'] || undefined,
          signal: clientGone(req),
          length: h['content-length'] === undefined ? null : Number(h['content-length']),
          fingerprint: h['x-upload-fingerprint'],
          offset: h['x-upload-offset'] === undefined ? 0 : Number(h['x-upload-offset']),
        });
        return reply.code(200).send(object);
      } catch (e) {
        return fail(reply, e, core);
      }
    });

    if (!consoleActor) return;
    scope.put(STREAM_ROUTES['console:objects:upload'].path, async (req, reply) => {
      try {
        const c = streamsContract['console:objects:upload'];
        const actor = await consoleActor(req);
        const { id } = c.params.parse(pathParams(req));
        const q = c.query.parse(req.query);
        const length = Number(req.headers['content-length']);
        const object = await ds.putStream(actor, q.workspaceId, id, q.key, req.raw, {
          contentType: req.headers['content-type'] || undefined,
          uploadId: q.uploadId ? q.uploadId.slice(0, 64) : undefined,
          total: Number.isFinite(length) ? length : null,
          signal: clientGone(req),
        });
        return reply.code(200).send(object);
      } catch (e) {
        return fail(reply, e, core);
      }
    });
  });
}
