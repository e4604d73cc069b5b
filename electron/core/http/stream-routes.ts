import type { StreamName } from '@shared/ipc/rest.contract';

/**
 * Where the streaming routes (and the console's ticket route that opens them) answer, and who may call them. Their
 * schemas are the contract's (streamsContract); datastore-http.ts and http-server.ts register them at these paths,
 * and GET /openapi.json documents them from here.
 */
export type StreamRoute = {
  method: 'GET' | 'PUT' | 'POST';
  /** Fastify path syntax ('*' takes the rest of the path). */
  path: string;
  summary: string;
  /**
   * rest: an API key or JWT; signed: the URL itself is the grant; console: the console token in its header (console
   * server only); ticket: a console ticket in ?ticket= (console server only; for URLs that cannot send headers).
   */
  auth: 'rest' | 'signed' | 'console' | 'ticket';
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
  'datastores:objects:put': {
    method: 'PUT',
    path: '/datastores/:id/objects/*',
    params: { '*': 'key' },
    summary: "Upload an object's bytes, streamed; resumable on S3 with x-upload-fingerprint",
    auth: 'rest',
  },
  'datastores:uploads:status': {
    method: 'GET',
    path: '/datastores/:id/uploads',
    summary: 'How much of an interrupted resumable upload (yours, of this body) is already stored',
    auth: 'rest',
  },
  'console:objects:download': { method: 'GET', path: '/console/datastores/:id/object', summary: "The console's download link of an object (a download ticket)", auth: 'ticket' },
  'console:objects:upload': { method: 'PUT', path: '/console/datastores/:id/objects', summary: "The console's upload of a dropped file", auth: 'console' },
  'console:events': { method: 'GET', path: '/ipc-events', summary: "The console's push events (server-sent events; an events ticket)", auth: 'ticket' },
  'console:tickets:create': {
    method: 'POST',
    path: '/console/tickets',
    summary: 'A ticket for one download link or one event stream: single use, one minute',
    auth: 'console',
  },
};
