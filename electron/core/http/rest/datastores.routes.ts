import type { RestRoute } from './rest-router';

const ds = { id: 'datastoreId' } as const;

/**
 * REST for datastores, the docs' paths. Object bodies (download, pre-signed PUT) are streamed by
 * datastore-http.ts instead, since they cannot travel through a JSON channel.
 */
export const datastoreRoutes: readonly RestRoute[] = [
  { method: 'GET', path: '/datastores', channel: 'datastores:list', request: { query: ['limit', 'cursor'] }, summary: 'Datastores of the workspace' },
  { method: 'POST', path: '/datastores', channel: 'datastores:create', request: { body: true }, status: 201, summary: 'Create a datastore (filesystem by default, or S3)' },
  { method: 'GET', path: '/datastores/:id', channel: 'datastores:get', request: { params: ds }, summary: 'A datastore' },
  {
    method: 'DELETE',
    path: '/datastores/:id',
    channel: 'datastores:delete',
    request: { params: ds, query: ['force'] },
    summary: 'Delete a datastore (force=true when it still holds objects)',
  },
  { method: 'POST', path: '/datastores/:id/test', channel: 'datastores:test', request: { params: ds }, summary: 'Check the backend: for S3, the bucket answers (HeadBucket), lists (ListObjectsV2) and takes a write probe that is deleted again; the reason when not' },
  {
    method: 'POST',
    path: '/datastores/:id/reattach',
    channel: 'datastores:reattach',
    request: { params: ds },
    summary: "Admin: mark the datastore's folder as its own again (after a restore); audited",
  },
  {
    method: 'GET',
    path: '/datastores/:id/objects',
    channel: 'datastores:objects:list',
    request: { params: ds, query: ['prefix', 'delimiter', 'limit', 'cursor'] },
    summary: 'Objects by key, with folder-style prefixes when a delimiter is given',
  },
  {
    method: 'DELETE',
    path: '/datastores/:id/objects/*',
    channel: 'datastores:objects:delete',
    request: { params: { ...ds, '*': 'key' } },
    status: 204,
    summary: 'Delete an object',
  },
  {
    method: 'POST',
    path: '/datastores/:id/upload-url',
    channel: 'datastores:uploadUrl',
    request: { params: ds, body: true },
    summary: 'A URL that accepts one PUT of the object (S3: pre-signed; filesystem: signed by this app)',
  },
  { method: 'GET', path: '/storage/usage', channel: 'datastores:usage', summary: 'Bytes and objects stored in the workspace' },
];
