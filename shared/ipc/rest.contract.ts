import { z } from 'zod';
import { IdSchema } from '../domain/common';
import { ConnectionTestResultSchema, TEST_OUTCOMES } from '../domain/connection';
import { DatastoreObjectSchema, ObjectKeySchema } from '../domain/datastore';
import type { PushEvent, PushPayloads } from './channels';
import { ERROR_CODES } from './result';

/**
 * What the HTTP edge carries beyond the channels' own schemas: the REST error envelope, the failed connection test,
 * and the streaming routes (object bytes both ways, push events), whose bodies cannot travel through a JSON channel.
 * The edge parses with these schemas and GET /openapi.json documents them, so the two say the same thing.
 */

/** `{"error":{code,message,field?}}`, the body of every REST error. */
export const RestErrorSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string().describe('What went wrong and what to do; never contains a secret'),
    field: z.string().optional().describe('The input field (or header) at fault, when there is one'),
  }),
});

/** POST /connections/{id}/test when the credential does not validate: a 4xx with the classified result beside it. */
export const ConnectionTestFailedSchema = z.object({
  error: z.object({
    code: z.enum(TEST_OUTCOMES.filter((o) => o !== 'valid').map((o) => o.toUpperCase()) as [string, ...string[]]),
    message: z.string(),
  }),
  result: ConnectionTestResultSchema,
});

// ---------- streaming routes ----------

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);
/** A query parameter the edge reads leniently, as it always has: a wrong type counts as absent, not as an error. */
const optionalText = () => z.string().optional().catch(undefined);

/** Headers a download answers with, beside the object's bytes. */
export const ObjectDownloadHeadersSchema = z.object({
  'content-type': z.string().describe("The object's content type"),
  'content-length': z.number().int().nonnegative(),
  'x-content-sha256': Sha256Schema.describe('SHA-256 of the bytes, hex'),
  'content-security-policy': z.string().describe('Sandboxes the content, so a stored page cannot act as this origin'),
  'content-disposition': z.string().optional().describe('attachment; filename=…, when a download was asked for'),
});
export type ObjectDownloadHeaders = z.input<typeof ObjectDownloadHeadersSchema>;

/** What the signed upload URL answers once the bytes are durable. */
export const SignedPutResultSchema = z.object({ key: ObjectKeySchema, size: z.number().int().nonnegative(), sha256: Sha256Schema });

/** Stands for the body a client means to upload, chosen by the client (e.g. sha256 of path, size and mtime): never its content. */
const FingerprintSchema = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'a fingerprint is 16 to 128 characters of A-Z, a-z, 0-9, _ and -');
/** A byte count in a query parameter or header: decimal digits, no sign, at most 2^53 - 1. */
const ByteCountSchema = z.string().regex(/^(0|[1-9]\d{0,15})$/, 'a byte count in decimal digits').refine((v) => Number(v) <= Number.MAX_SAFE_INTEGER, 'too large');

/** GET /datastores/{id}/uploads: how much of a resumable upload is stored already. */
export const UploadStatusSchema = z.object({
  resumable: z.boolean().describe('False when this datastore cannot resume uploads (filesystem): send the whole body'),
  partSize: z.number().int().positive().nullable().describe('S3 multipart part size; a body smaller than one part never resumes'),
  uploadedBytes: z.number().int().nonnegative().describe('Bytes of this body already stored (a part boundary): send the rest with x-upload-offset set to this'),
  partsDone: z.number().int().nonnegative(),
});

/** Push event payloads, one schema per event of PUSH_EVENTS (the compile-time check below keeps them equal). */
export const PushPayloadSchemas = {
  'workspaces:changed': z.object({ workspaceId: z.string() }),
  'audit:appended': z.object({ workspaceId: z.string().nullable(), action: z.string() }),
  'vault:changed': z.object({ state: z.enum(['uninitialized', 'locked', 'unlocked']), mode: z.enum(['keychain', 'passphrase']).nullable() }),
  'connections:changed': z.object({ workspaceId: z.string(), id: z.string() }),
  'settings:changed': z.object({ keys: z.array(z.string()) }),
  'secrets:changed': z.object({ workspaceId: z.string(), id: z.string() }),
  'oauth:healthChanged': z.object({ workspaceId: z.string() }),
  'datastores:changed': z.object({ workspaceId: z.string(), datastoreId: z.string() }),
  'workflows:changed': z.object({ workspaceId: z.string(), id: z.string() }),
  'runs:changed': z.object({ workspaceId: z.string(), workflowId: z.string(), runId: z.string(), status: z.string() }),
  'datastores:uploadProgress': z.object({
    uploadId: z.string(),
    workspaceId: z.string(),
    datastoreId: z.string(),
    key: z.string(),
    bytes: z.number(),
    total: z.number().nullable(),
    state: z.enum(['running', 'done', 'failed', 'cancelled']),
    error: z.string().optional(),
  }),
} satisfies Record<PushEvent, z.ZodType>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Mismatched = { [E in PushEvent]: Same<z.infer<(typeof PushPayloadSchemas)[E]>, PushPayloads[E]> extends true ? never : E }[PushEvent];
/** Fails to compile, naming the event, when a schema here and its PushPayloads type disagree. */
export const _pushPayloadsMatch: [Mismatched] extends [never] ? true : Mismatched = true;

/** A console ticket as it travels in a URL: `<id>.<secret>`, base64url (the secret is 256 random bits). */
export const TicketSchema = z.string().regex(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/, 'not a ticket: ask POST /console/tickets for one');

/** What a console ticket is for: one object to download, or one event stream to open. Nothing else. */
export const TicketGrantSchema = z.discriminatedUnion('purpose', [
  z.strictObject({
    purpose: z.literal('download'),
    workspaceId: IdSchema,
    datastoreId: IdSchema,
    key: ObjectKeySchema,
  }),
  z.strictObject({ purpose: z.literal('events') }),
]);
export type TicketGrant = z.infer<typeof TicketGrantSchema>;

export const TicketIssuedSchema = z.object({
  ticket: TicketSchema.describe('Put it in the URL as ?ticket=…; it works once'),
  expiresAt: z.iso.datetime().describe('One minute after it was issued'),
});
export type TicketIssued = z.infer<typeof TicketIssuedSchema>;

/**
 * One streaming route's schemas: what the edge reads from the path, the query, the request headers and (for the
 * console's ticket route, which exists for the streaming ones) a JSON body, and what it answers (a JSON body
 * schema, or bytes with response headers, or an event stream).
 */
export type StreamContract = {
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  /** A JSON request body, parsed with this schema. */
  body?: z.ZodType;
  /** The request body is the object's bytes. */
  bytesIn?: true;
  response:
    | { kind: 'json'; schema: z.ZodType }
    | { kind: 'bytes'; headers: z.ZodObject }
    | { kind: 'events'; events: Readonly<Record<string, z.ZodType>> };
};

/** The streaming routes, and the console's ticket route that opens them. Keys name the route; paths and registration live with the HTTP edge. */
export const streamsContract = {
  /** GET /datastores/{id}/objects/{key}: an object's bytes (REST credentials). */
  'datastores:objects:download': {
    params: z.object({ id: IdSchema, key: ObjectKeySchema }),
    response: { kind: 'bytes', headers: ObjectDownloadHeadersSchema },
  },
  /** PUT /datastores/{id}/upload/{token}: the filesystem backend's signed upload URL; the token is the credential. */
  'datastores:objects:signedPut': {
    params: z.object({ id: IdSchema, token: z.string().describe('The signed grant from POST /datastores/{id}/upload-url') }),
    headers: z.object({ 'content-type': z.string().describe('Must be the content type the URL was signed for') }),
    bytesIn: true,
    response: { kind: 'json', schema: SignedPutResultSchema },
  },
  /**
   * PUT /datastores/{id}/objects/{key}: an object's bytes, streamed (REST credentials). With x-upload-fingerprint the
   * upload is resumable on S3: interrupted, it keeps its finished parts, and a later PUT with x-upload-offset (what
   * GET /datastores/{id}/uploads answered) and the same fingerprint sends only the rest.
   */
  'datastores:objects:put': {
    params: z.object({ id: IdSchema, key: ObjectKeySchema }),
    headers: z.object({
      'content-type': z.string().optional(),
      'content-length': ByteCountSchema.optional().describe('Bytes in this request; required with x-upload-fingerprint'),
      'x-upload-fingerprint': FingerprintSchema.optional().describe("The client's token for this body (e.g. sha256 of path, size, mtime): makes the upload resumable"),
      'x-upload-offset': ByteCountSchema.optional().describe('Where this body starts in the object: 0, or the uploadedBytes GET /datastores/{id}/uploads answered'),
    }),
    bytesIn: true,
    response: { kind: 'json', schema: DatastoreObjectSchema },
  },
  /** GET /datastores/{id}/uploads: how much of a resumable upload of this body is stored (only the caller's own). */
  'datastores:uploads:status': {
    params: z.object({ id: IdSchema }),
    query: z.strictObject({
      key: ObjectKeySchema,
      size: ByteCountSchema.describe("The whole body's size in bytes"),
      fingerprint: FingerprintSchema.describe('The x-upload-fingerprint the upload was sent with'),
    }),
    response: { kind: 'json', schema: UploadStatusSchema },
  },
  /**
   * GET /console/datastores/{id}/object: the console's download link. A link cannot send headers, so its one
   * credential is a ticket for this very object (POST /console/tickets); the console token and a user's JWT are
   * refused in a URL (401).
   */
  'console:objects:download': {
    params: z.object({ id: IdSchema }),
    query: z.object({
      workspaceId: IdSchema,
      key: ObjectKeySchema,
      download: optionalText().describe('1 or true: as an attachment'),
      ticket: TicketSchema.describe('A download ticket for this workspace, datastore and key, from POST /console/tickets'),
    }),
    response: { kind: 'bytes', headers: ObjectDownloadHeadersSchema },
  },
  /** PUT /console/datastores/{id}/objects: the console's upload of a dropped file, streamed. */
  'console:objects:upload': {
    params: z.object({ id: IdSchema }),
    query: z.object({
      workspaceId: IdSchema,
      key: ObjectKeySchema,
      uploadId: optionalText().describe('Names the datastores:uploadProgress events of this upload (first 64 characters)'),
    }),
    headers: z.object({
      'content-type': z.string().optional(),
      'content-length': z.string().optional().describe('Bytes to come, for the progress events'),
    }),
    bytesIn: true,
    response: { kind: 'json', schema: DatastoreObjectSchema },
  },
  /** GET /ipc-events: the console's push events. EventSource cannot send headers: an events ticket opens one stream. */
  'console:events': {
    query: z.object({ ticket: TicketSchema.describe('An events ticket from POST /console/tickets; it opens one stream') }),
    response: { kind: 'events', events: PushPayloadSchemas },
  },
  /**
   * POST /console/tickets: a ticket for one URL that cannot carry headers (a download link, the event stream), for
   * the console's caller (x-console-token, and x-user-token when a user is signed in). It works once, for a minute.
   */
  'console:tickets:create': {
    headers: z.object({ 'x-user-token': z.string().optional().describe("A signed-in user's JWT: the ticket then acts as that user") }),
    body: TicketGrantSchema,
    response: { kind: 'json', schema: TicketIssuedSchema },
  },
} satisfies Record<string, StreamContract>;
export type StreamName = keyof typeof streamsContract;

/** POST /ipc/{channel}: the console's bridge to every channel, `{input}` in (nothing else), the result envelope out. */
export const BridgeRequestSchema = z.strictObject({ input: z.unknown().optional() });
export const BridgeResultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: RestErrorSchema.shape.error.extend({ retryAfter: z.number().optional() }) }),
]);
