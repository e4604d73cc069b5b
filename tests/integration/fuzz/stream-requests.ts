import fc from 'fast-check';
import type { z } from 'zod';
import { STREAM_ROUTES } from '@core/http/stream-routes';
import { CONSOLE_TOKEN_HEADER, USER_TOKEN_HEADER } from '@core/http/http-server';
import { SignedPutResultSchema, TicketIssuedSchema, UploadStatusSchema, type StreamName } from '@shared/ipc/rest.contract';
import { DatastoreObjectSchema } from '@shared/domain/datastore';
import type { FuzzBench } from './fuzz-bench';
import type { Expectation } from './fuzz-invariants';
import { described } from './fuzz-config';
import { byMode, fuzzed, hostileString, modesArb, type Mode } from './hostile-values';
import { idArb } from './fuzz-pools';
import { contentTypeArb, objectKeyArb, type ValueContext } from './contract-inputs';
import { credentialArb, enc, extraHeadersArb, headerSafe, queryArb, targetArb, type FuzzRequest } from './rest-requests';

/**
 * Requests for the streaming routes of STREAM_ROUTES, which carry bytes and have no channel: one generator per
 * route (a test fails when a route has none). Their credentials differ: REST credentials for the download, the
 * signed token itself for the upload URL, the console token (and a signed-in user's) for the console's routes.
 */

/** Object bytes: small ones; hostile, empty, over the signed size limit, or 2 MiB. */
const bytesArb = (mode: Mode) =>
  byMode(
    mode,
    fc.string({ minLength: 1, maxLength: 200 }),
    fc.oneof(fc.constant(''), fc.integer({ min: 4097, max: 5000 }).map((n) => 'u'.repeat(n)), fc.constant('w'.repeat(2 * 1024 * 1024))),
  );

type ConsoleAuth = { label: string; headers: Array<[string, string]>; query: string };
/** The console's credentials: its token (header or query), with a signed-in user's token or not; hostile, wrong ones. */
export const consoleAuthArb = (b: FuzzBench, mode: Mode): fc.Arbitrary<ConsoleAuth> => {
  const token = (label: string, headers: Array<[string, string]>, query = ''): ConsoleAuth => ({ label, headers, query });
  const valid = fc.oneof(
    { weight: 6, arbitrary: fc.constant(token('console token', [[CONSOLE_TOKEN_HEADER, b.consoleToken]])) },
    { weight: 2, arbitrary: fc.constant(token('console token in query', [], `token=${enc(b.consoleToken)}`)) },
    { weight: 2, arbitrary: fc.constant(token('console token + viewer', [[CONSOLE_TOKEN_HEADER, b.consoleToken], [USER_TOKEN_HEADER, b.viewerJwt]])) },
  );
  const hostile = fc.oneof(
    fc.constant(token('console token + bad user', [[CONSOLE_TOKEN_HEADER, b.consoleToken], [USER_TOKEN_HEADER, 'garbage']])),
    fc
      .constantFrom<Array<[string, string]>>([], [[CONSOLE_TOKEN_HEADER, 'wrong']], [[CONSOLE_TOKEN_HEADER, `${b.consoleToken}x`]], [[CONSOLE_TOKEN_HEADER, '']], [['x-api-key', b.principals[0]!.headers[0]![1]]])
      .map((headers) => token('no console token', headers)),
  );
  return byMode(mode, valid, hostile);
};

/** The console routes' query: workspaceId and key (valid-ish, or hostile), the route's own extras, maybe junk after. */
const consoleQueryArb = (b: FuzzBench, mode: Mode, extra: Array<[string, fc.Arbitrary<string>]>) =>
  fc
    .tuple(
      byMode(mode, idArb(b.pools, 'workspace').map((w): string | null => w), fc.option(idArb(b.pools, 'workspace', 'hostile'))),
      byMode(mode, objectKeyArb(b.pools).map((k): string | null => k), fc.option(objectKeyArb(b.pools))),
      fc.tuple(...extra.map(([, a]) => fc.option(a, { freq: 2 }))),
      queryArb([], {}, streamCtx(b), mode),
    )
    .map(([ws, key, extras, tail]) => {
      const pairs: string[] = [];
      if (ws !== null) pairs.push(`workspaceId=${enc(ws)}`);
      if (key !== null) pairs.push(`key=${enc(key)}`);
      extras.forEach((v, i) => v !== null && pairs.push(`${extra[i]![0]}=${enc(v)}`));
      return { pairs, tail };
    });

function join(pairs: string[], authQuery: string, tail: { text: string }): string {
  const all = [...pairs, ...(authQuery ? [authQuery] : []), ...(tail.text ? [tail.text.slice(1)] : [])];
  return all.length ? `?${all.join('&')}` : '';
}

/** Values for the streaming routes, which have no channel: ids are datastores', as on datastores:get. */
const streamCtx = (b: FuzzBench): ValueContext => ({ pools: b.pools, channel: 'datastores:get' });

/** An upload token: a real one (valid); hostile, tampered with, moved to another datastore, or made up. */
function uploadTokenArb(b: FuzzBench, mode: Mode) {
  const real = fc.nat().map((i) => ({ ...b.uploadTokens[i % b.uploadTokens.length]!, note: 'real token' }));
  const tampered = fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('flip', 'truncate', 'swap-store', 'payload-only', 'resign')).map(([i, at, how]) => {
    const t = b.uploadTokens[i % b.uploadTokens.length]!;
    const other = b.uploadTokens[(i + 2) % b.uploadTokens.length]!;
    let token = t.token;
    if (how === 'flip') token = token.slice(0, at % token.length) + (token[at % token.length] === 'A' ? 'B' : 'A') + token.slice((at % token.length) + 1);
    if (how === 'truncate') token = token.slice(0, at % token.length);
    if (how === 'payload-only') token = token.split('.')[0]!;
    if (how === 'resign') token = `${Buffer.from(JSON.stringify({ d: t.datastoreId, k: 'x', c: t.contentType, e: 4102444800, m: null, u: 'fuzz' })).toString('base64url')}.${token.split('.')[1]}`;
    return { datastoreId: how === 'swap-store' ? other.datastoreId : t.datastoreId, token, contentType: t.contentType, note: `token ${how}` };
  });
  const madeUp = fc.tuple(idArb(b.pools, 'datastore'), hostileString).map(([datastoreId, token]) => ({ datastoreId, token, contentType: 'text/plain', note: 'random token' }));
  return byMode(mode, real, fc.oneof({ weight: 3, arbitrary: tampered }, { weight: 1, arbitrary: madeUp }));
}

const STREAM_PARTS = ['target', 'query', 'credential', 'body', 'headers'] as const;

/** A well-formed upload fingerprint (what the CLI sends: base64url of a SHA-256). */
const FINGERPRINT = 'q5Yx0p7ZfE2n8Kc1Wm4Rt6Ua9Lb3Hd0Js2Gv5Nw7Pk8';

/** The resumable upload's headers: none, a fingerprint at offset 0 (valid); hostile offsets, lengths and fingerprints. */
const resumeHeadersArb = (mode: Mode): fc.Arbitrary<{ headers: Array<[string, string]>; note: string }> =>
  byMode(
    mode,
    fc.constantFrom<{ headers: Array<[string, string]>; note: string }>(
      { headers: [], note: 'plain put' },
      { headers: [['x-upload-fingerprint', FINGERPRINT]], note: 'resumable put' },
      { headers: [['x-upload-fingerprint', FINGERPRINT], ['x-upload-offset', '0']], note: 'resumable put at 0' },
    ),
    fc
      .record({
        fingerprint: fc.option(fc.oneof(fc.constantFrom(FINGERPRINT, 'short', 'x'.repeat(200), `${FINGERPRINT}/`), hostileString.map(headerSafe)), { freq: 3 }),
        offset: fc.option(fc.oneof(fc.constantFrom('0', '5242880', '8388608', '-1', '1.5', '1e3', '9'.repeat(30), '', '0x10'), hostileString.map(headerSafe)), { freq: 2 }),
      })
      .map(({ fingerprint, offset }) => {
        const headers: Array<[string, string]> = [];
        if (fingerprint !== null) headers.push(['x-upload-fingerprint', fingerprint]);
        if (offset !== null) headers.push(['x-upload-offset', offset]);
        return { headers, note: `fingerprint ${fingerprint?.slice(0, 20)} offset ${offset?.slice(0, 20)}` };
      }),
  );

/** A generator per streaming route: the coverage test fails when a STREAM_ROUTES entry has none. */
export const STREAM_GENERATORS: Record<StreamName, (b: FuzzBench) => fc.Arbitrary<FuzzRequest>> = {
  'datastores:objects:download': (b) => {
    const route = STREAM_ROUTES['datastores:objects:download'];
    const spec = { channel: 'datastores:get' as const, request: { params: { id: 'datastoreId', '*': 'key' } }, path: route.path };
    return modesArb(STREAM_PARTS).chain((m) =>
      fc
        .record({ target: targetArb(b, spec, streamCtx(b), { params: m.target, workspace: 'valid' }), query: queryArb([], {}, streamCtx(b), m.query), cred: credentialArb(b, m.credential), extra: extraHeadersArb(b, m.headers) })
        .map(({ target: { params, ws }, query, cred, extra }) =>
          described({
            route: `GET ${route.path}`,
            method: 'GET',
            path: params.path + query.text,
            headers: [...cred.headers, ...ws, ...extra],
            credential: cred.label,
            params: params.params,
            notes: [...params.notes, ...query.notes],
          }),
        ),
    );
  },

  'datastores:objects:put': (b) => {
    const route = STREAM_ROUTES['datastores:objects:put'];
    const spec = { channel: 'datastores:get' as const, request: { params: { id: 'datastoreId', '*': 'key' } }, path: route.path };
    return modesArb(STREAM_PARTS).chain((m) =>
      fc
        .record({
          target: targetArb(b, spec, streamCtx(b), { params: m.target, workspace: 'valid' }),
          bytes: bytesArb(m.body),
          resumable: resumeHeadersArb(m.headers),
          query: queryArb([], {}, streamCtx(b), m.query),
          cred: credentialArb(b, m.credential),
          extra: extraHeadersArb(b, m.headers),
        })
        .map(({ target: { params, ws }, bytes, resumable, query, cred, extra }) =>
          described({
            route: `PUT ${route.path}`,
            method: 'PUT',
            path: params.path + query.text,
            headers: [...cred.headers, ...ws, ['content-type', 'text/plain'], ...resumable.headers, ...extra],
            body: bytes,
            credential: cred.label,
            params: params.params,
            notes: [...params.notes, ...query.notes, resumable.note, `${bytes.length} bytes`],
          }),
        ),
    );
  },

  'datastores:uploads:status': (b) => {
    const route = STREAM_ROUTES['datastores:uploads:status'];
    const spec = { channel: 'datastores:get' as const, request: { params: { id: 'datastoreId' } }, path: route.path };
    const fields = fc.record<Record<string, string | null>>({ key: objectKeyArb(b.pools), size: fc.nat().map(String), fingerprint: fc.constant(FINGERPRINT) });
    const hostileFields = fc.record<Record<string, string | null>>({
      key: fc.option(fc.oneof(objectKeyArb(b.pools), hostileString), { freq: 3 }),
      size: fc.option(fc.oneof(fc.constantFrom('-1', '1.5', '1e3', '9'.repeat(30), '', '0x10', ' 5'), hostileString), { freq: 3 }),
      fingerprint: fc.option(fc.oneof(fc.constantFrom(FINGERPRINT, 'short', 'x'.repeat(200), `${FINGERPRINT}!`), hostileString), { freq: 3 }),
    });
    return modesArb(STREAM_PARTS).chain((m) =>
      fc
        .record({
          target: targetArb(b, spec, streamCtx(b), { params: m.target, workspace: 'valid' }),
          q: m.query === 'valid' ? fields : hostileFields,
          tail: queryArb([], {}, streamCtx(b), m.query),
          cred: credentialArb(b, m.credential),
          extra: extraHeadersArb(b, m.headers),
        })
        .map(({ target: { params, ws }, q, tail, cred, extra }) => {
          const pairs = Object.entries(q).flatMap(([k, v]) => (v === null ? [] : [`${k}=${enc(v)}`]));
          return described({
            route: `GET ${route.path}`,
            method: 'GET',
            path: `${params.path}${join(pairs, '', tail)}`,
            headers: [...cred.headers, ...ws, ...extra],
            credential: cred.label,
            params: params.params,
            notes: [...params.notes, ...tail.notes],
          });
        }),
    );
  },

  'datastores:objects:signedPut': (b) => {
    const route = STREAM_ROUTES['datastores:objects:signedPut'];
    return modesArb(STREAM_PARTS).chain((m) =>
      fc
        .record({
          t: uploadTokenArb(b, m.credential),
          bytes: bytesArb(m.body),
          type: byMode(m.target, fc.constant(null), contentTypeArb),
          query: queryArb([], {}, streamCtx(b), m.query),
          extra: extraHeadersArb(b, m.headers),
        })
        .map(({ t, bytes, type, query, extra }) =>
          described({
            route: `PUT ${route.path}`,
            method: 'PUT',
            path: `/datastores/${enc(t.datastoreId)}/upload/${enc(t.token)}${query.text}`,
            headers: [['content-type', headerSafe(type ?? t.contentType)], ...extra],
            body: bytes,
            credential: 'signed URL',
            params: { id: t.datastoreId },
            notes: [t.note, `${bytes.length} bytes`, ...query.notes],
          }),
        ),
    );
  },

  'console:objects:download': (b) => {
    const route = STREAM_ROUTES['console:objects:download'];
    return modesArb(STREAM_PARTS).chain((m) =>
      fc
        .record({
          id: idArb(b.pools, 'datastore', m.target),
          q: consoleQueryArb(b, m.query, [['download', fc.constantFrom('1', 'true', 'no', '')], ['user', fc.constantFrom(b.viewerJwt, 'garbage')]]),
          // Valid targets are often an object that exists (workspace, datastore and key drawn apart rarely meet).
          ref: byMode(m.target === 'valid' && m.query === 'valid' ? 'any' : 'valid', fc.constant(null), fc.nat().map((i) => b.pools.objectRef[i % b.pools.objectRef.length] ?? null)),
          auth: consoleAuthArb(b, m.credential),
          extra: extraHeadersArb(b, m.headers),
        })
        .map(({ id, q, ref, auth, extra }) =>
          described({
            route: `GET ${route.path}`,
            method: 'GET',
            path: ref
              ? `/console/datastores/${enc(ref.datastoreId)}/object${join([`workspaceId=${enc(ref.workspaceId)}`, `key=${enc(ref.key)}`], auth.query, q.tail)}`
              : `/console/datastores/${enc(id)}/object${join(q.pairs, auth.query, q.tail)}`,
            headers: [...auth.headers, ...extra],
            credential: auth.label,
            params: { id },
            notes: q.tail.notes,
          }),
        ),
    );
  },

  'console:objects:upload': (b) => {
    const route = STREAM_ROUTES['console:objects:upload'];
    return modesArb(STREAM_PARTS).chain((m) =>
      fc
        .record({
          id: idArb(b.pools, 'datastore', m.target),
          q: consoleQueryArb(b, m.query, [['uploadId', fc.oneof(fc.uuid(), hostileString)]]),
          auth: consoleAuthArb(b, m.credential),
          bytes: bytesArb(m.body),
          type: fc.option(contentTypeArb, { freq: 2 }),
          extra: extraHeadersArb(b, m.headers),
        })
        .map(({ id, q, auth, bytes, type, extra }) =>
          described({
            route: `PUT ${route.path}`,
            method: 'PUT',
            path: `/console/datastores/${enc(id)}/objects${join(q.pairs, auth.query, q.tail)}`,
            headers: [...auth.headers, ...(type === null ? [] : ([['content-type', headerSafe(type)]] as Array<[string, string]>)), ...extra],
            body: bytes,
            credential: auth.label,
            params: { id },
            notes: [...q.tail.notes, `${bytes.length} bytes`],
          }),
        ),
    );
  },

  'console:tickets:create': (b) => {
    const route = STREAM_ROUTES['console:tickets:create'];
    // A grant for the event stream, or for an object that exists (or one drawn from the pools when none was made).
    const grant = fc.oneof(
      fc.constant<Record<string, unknown>>({ purpose: 'events' }),
      fc.nat().map((i): Record<string, unknown> => {
        const ref = b.pools.objectRef[i % Math.max(1, b.pools.objectRef.length)];
        return ref ? { purpose: 'download', ...ref } : { purpose: 'events' };
      }),
      fc.record({ workspaceId: idArb(b.pools, 'workspace'), datastoreId: idArb(b.pools, 'datastore'), key: objectKeyArb(b.pools) }).map((r) => ({ purpose: 'download', ...r })),
    );
    return modesArb(STREAM_PARTS).chain((m) =>
      fc
        .record({ auth: consoleAuthArb(b, m.credential), body: fuzzed(grant, m.body), tail: queryArb([], {}, streamCtx(b), m.query), extra: extraHeadersArb(b, m.headers) })
        .map(({ auth, body, tail, extra }) =>
          described({
            route: `POST ${route.path}`,
            method: 'POST',
            path: `${route.path}${join([], auth.query, tail)}`,
            headers: [['content-type', 'application/json'], ...auth.headers, ...extra] as Array<[string, string]>,
            body: JSON.stringify(body.value) ?? '',
            credential: auth.label,
            params: {},
            notes: [...tail.notes, ...body.mutations.map((x) => JSON.stringify(x))],
          }),
        ),
    );
  },

  'console:events': (b) =>
    modesArb(STREAM_PARTS).chain((m) =>
      fc.record({ auth: consoleAuthArb(b, m.credential), tail: queryArb([], {}, streamCtx(b), m.query), extra: extraHeadersArb(b, m.headers) }).map(({ auth, tail, extra }) =>
        described({
          route: `GET ${STREAM_ROUTES['console:events'].path}`,
          method: 'GET',
          path: `${STREAM_ROUTES['console:events'].path}${join([], auth.query, tail)}`,
          headers: [...auth.headers, ...extra],
          credential: auth.label,
          params: {},
          notes: tail.notes,
        }),
      ),
    ),
};

/** What a streaming route's answer is checked against: bytes or events (no schema), or the upload's JSON result. */
export function streamExpectation(name: StreamName, req: FuzzRequest): Expectation {
  const json: Partial<Record<StreamName, z.ZodType>> = {
    'datastores:objects:put': DatastoreObjectSchema,
    'datastores:uploads:status': UploadStatusSchema,
    'datastores:objects:signedPut': SignedPutResultSchema, 'console:objects:upload': DatastoreObjectSchema, 'console:tickets:create': TicketIssuedSchema };
  return { route: req.route, schemaFor: () => json[name] ?? null, envelope: 'rest' };
}

