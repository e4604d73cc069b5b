import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '@shared/domain/actor';
import { ObjectKeySchema } from '@shared/domain/datastore';
import { IdSchema } from '@shared/domain/common';
import type { Core } from '../index';
import { AppError } from '../errors';
import { toFailure } from '../handlers/dispatch';
import { sendError, type Authenticator } from './rest/rest-router';

type Deps = {
  core: Core;
  authenticate: Authenticator;
  /**
   * The console's own caller (x-console-token, or ?token= where a browser cannot send headers; x-user-token for a
   * signed-in user). Throws UNAUTHENTICATED. Null when this server has no console (the desktop app's REST server).
   */
  consoleActor: ((req: FastifyRequest) => Promise<Actor>) | null;
};

function fail(reply: FastifyReply, e: unknown, core: Core): FastifyReply {
  const r = toFailure(e, core.logger, 'datastores:http');
  if (r.ok) return reply;
  return sendError(reply, r.error);
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: unknown, field: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError('INVALID_INPUT', `${field} is missing or not valid`, field);
  return r.data;
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
 * REST download, the pre-signed PUT of filesystem datastores, and the console's upload/download.
 */
export function registerDatastoreHttp(app: FastifyInstance, deps: Deps): void {
  const { core } = deps;
  const ds = core.datastores;

  async function download(reply: FastifyReply, actor: Actor, workspaceId: string, datastoreId: string, key: string, attachment: boolean) {
    const { object, stream } = await ds.read(actor, workspaceId, datastoreId, key);
    reply.type(object.contentType).header('content-length', object.size).header('x-content-sha256', object.sha256);
    if (attachment) reply.header('content-disposition', contentDisposition(object.key));
    // Preview of user content must not run as part of the console's origin.
    reply.header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
    return reply.send(stream);
  }

  app.get('/datastores/:id/objects/*', async (req, reply) => {
    try {
      const caller = await deps.authenticate(req);
      if (!caller) throw new AppError('UNAUTHENTICATED', 'send an API key in x-api-key or a JWT in Authorization: Bearer');
      const p = req.params as Record<string, string>;
      const id = parse(IdSchema, p.id, 'id');
      const key = parse(ObjectKeySchema, p['*'], 'key');
      return await download(reply, caller.actor, caller.workspaceId, id, key, false);
    } catch (e) {
      return fail(reply, e, core);
    }
  });

  const consoleActor = deps.consoleActor;
  if (!consoleActor) {
    registerRawPut(app, deps, null);
    return;
  }

  app.get('/console/datastores/:id/object', async (req, reply) => {
    try {
      const q = req.query as Record<string, unknown>;
      // A download link cannot send headers: a signed-in user's token may ride in the query, like the console's.
      if (req.headers['x-user-token'] === undefined && typeof q.user === 'string' && q.user) req.headers['x-user-token'] = q.user;
      const actor = await consoleActor(req);
      const id = parse(IdSchema, (req.params as Record<string, string>).id, 'id');
      return await download(reply, actor, parse(IdSchema, q.workspaceId, 'workspaceId'), id, parse(ObjectKeySchema, q.key, 'key'), q.download === '1');
    } catch (e) {
      return fail(reply, e, core);
    }
  });

  registerRawPut(app, deps, consoleActor);
}

function registerRawPut(app: FastifyInstance, deps: Deps, consoleActor: Deps['consoleActor']): void {
  const { core } = deps;
  const ds = core.datastores;
  // Raw bodies: an encapsulated scope whose parser leaves the request stream untouched for the handler.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

    scope.put('/datastores/:id/upload/:token', async (req, reply) => {
      try {
        const p = req.params as Record<string, string>;
        const id = parse(IdSchema, p.id, 'id');
        const object = await ds.putWithUploadToken(id, p.token ?? '', req.headers['content-type'], req.raw);
        return reply.code(200).send({ key: object.key, size: object.size, sha256: object.sha256 });
      } catch (e) {
        return fail(reply, e, core);
      }
    });

    if (!consoleActor) return;
    scope.put('/console/datastores/:id/objects', async (req, reply) => {
      try {
        const actor = await consoleActor(req);
        const q = req.query as Record<string, unknown>;
        const id = parse(IdSchema, (req.params as Record<string, string>).id, 'id');
        const length = Number(req.headers['content-length']);
        const object = await ds.putStream(actor, parse(IdSchema, q.workspaceId, 'workspaceId'), id, parse(ObjectKeySchema, q.key, 'key'), req.raw, {
          contentType: req.headers['content-type'] || undefined,
          uploadId: typeof q.uploadId === 'string' && q.uploadId ? q.uploadId.slice(0, 64) : undefined,
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
