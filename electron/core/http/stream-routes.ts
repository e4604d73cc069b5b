import type { StreamName } from '@shared/ipc/rest.contract';

/**
 * Where the streaming routes answer, and who may call them. Their schemas are the contract's (streamsContract);
 * datastore-http.ts and http-server.ts register them at these paths, and GET /openapi.json documents them from here.
 */
export type StreamRoute = {
  method: 'GET' | 'PUT';
  /** Fastify path syntax ('*' takes the rest of the path). */
  path: string;
  summary: string;
  /** rest: an API key or JWT; signed: the URL itself is the grant; console: the console token (console server only). */
  auth: 'rest' | 'signed' | 'console';
  /** Path parameters whose contract field has another name (`*` → `key`). */
  params?: Readonly<Record<string, string>>;
};

export const STREAM_ROUTES: Readonly<Record<StreamName, StreamRoute>> = {
  'datastores:objects:download': {
    method: 'GET',
    path: '/datastores/:id/objects/*',
    params: { '*': 'key' },
    summary: "Download an object's bytes",
    auth: 'rest',
  },
  'datastores:objects:signedPut': {
    method: 'PUT',
    path: '/datastores/:id/upload/:token',
    summary: 'Upload the bytes to a signed upload URL (filesystem datastores; no other credential)',
    auth: 'signed',
  },
  'console:objects:download': { method: 'GET', path: '/console/datastores/:id/object', summary: "The console's preview and download of an object", auth: 'console' },
  'console:objects:upload': { method: 'PUT', path: '/console/datastores/:id/objects', summary: "The console's upload of a dropped file", auth: 'console' },
  'console:events': { method: 'GET', path: '/ipc-events', summary: "The console's push events (server-sent events)", auth: 'console' },
};
