import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST_ROUTES } from '@core/http/rest/routes';
import { inputFields } from '@core/http/rest/rest-request';
import type { RestRoute } from '@core/http/rest/rest-router';
import { MAX_INPUT_DEPTH } from '@core/handlers/input-depth';
import { startRestBench, type RestBench } from './rest-harness';

/**
 * Issue 14, item 8: bad input is a 400, never a 5xx, and it is refused the same way on every route: JSON nested too
 * deep, repeated or unknown query parameters, forged cursors, unknown body fields. Every refusal writes nothing.
 */
let b: RestBench;
beforeAll(async () => {
  b = await startRestBench();
});
afterAll(() => b.stop());

const ANY_ID = '00000000-0000-4000-8000-000000000000';
/** A route's path with its parameters filled in (ids that exist nowhere: input is refused before any lookup). */
const pathOf = (r: RestRoute) => r.path.replace(/:\w+/g, ANY_ID).replace('*', 'a.txt');
const label = (r: RestRoute) => `${r.method} ${r.path}`;

async function refused(status: number, method: string, path: string, opts: Parameters<RestBench['call']>[2]) {
  const before = b.snapshot();
  const r = await b.call(method, path, opts);
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.json)}`).toBe(status);
  expect(r.json.error?.code, `${method} ${path}`).toBe('INVALID_INPUT');
  expect(b.snapshot(), `${method} ${path} changed something`).toBe(before);
  return r.json.error!;
}

/** Console bridge call, raw body. */
async function bridge(channel: string, raw: string) {
  const r = await fetch(`${b.url}/ipc/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-console-token': b.consoleToken }, body: raw });
  return { status: r.status, json: (await r.json()) as { ok: boolean; error?: { code: string; message: string; field?: string } } };
}

const nest = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

describe('JSON nested deeper than the limit → 400 before any handler, on REST and the console bridge', () => {
  it(`a secret value nested ${MAX_INPUT_DEPTH} levels is fine; one level more is a 400 naming the body`, async () => {
    // The body object is level 1, the value object level 2, then arrays.
    const body = (depth: number) => `{"name":"deep-${depth}","value":{"a":${nest(depth - 2)}}}`;
    const ok = await b.call('POST', '/secrets', { headers: b.owner(), raw: body(MAX_INPUT_DEPTH) });
    expect(ok.status, JSON.stringify(ok.json)).toBe(201);
    const e = await refused(400, 'POST', '/secrets', { headers: b.owner(), raw: body(MAX_INPUT_DEPTH + 1) });
    expect(e).toMatchObject({ field: 'body', message: `the input nests deeper than ${MAX_INPUT_DEPTH} levels of objects and arrays` });
  });

  it('100 000 levels of [[[… is a 400, alone or inside a field, on every body route', async () => {
    const deep = nest(100_000);
    for (const r of REST_ROUTES.filter((x) => x.request?.body)) {
      await refused(400, r.method, pathOf(r), { headers: b.owner(), raw: deep });
      await refused(400, r.method, pathOf(r), { headers: b.owner(), raw: `{"name":"x","value":{"a":${deep}}}` });
    }
    // Unbalanced: only opening brackets.
    await refused(400, 'POST', '/secrets', { headers: b.owner(), raw: '{"a":' + '['.repeat(100_000) });
  });

  it('brackets inside strings do not count; escaped quotes do not end a string', async () => {
    const text = `${'['.repeat(150)}\\\\\\"${'{'.repeat(150)}\\\\`;
    const r = await b.call('POST', '/secrets', { headers: b.owner(), raw: `{"name":"brackets","value":"${text}","description":"${'{'.repeat(100)}"}` });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
  });

  it('the console bridge: the same limit for the input inside its {input} envelope', async () => {
    const input = (depth: number) => `{"input":{"workspaceId":"${b.defaultWs}","name":"bridge-${depth}","value":{"a":${nest(depth - 2)}}}}`;
    expect((await bridge('secrets:create', input(MAX_INPUT_DEPTH))).json.ok).toBe(true);
    const before = b.snapshot();
    for (const raw of [input(MAX_INPUT_DEPTH + 1), nest(100_000), `{"input":${nest(100_000)}}`]) {
      const r = await bridge('secrets:create', raw);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'body' } });
    }
    expect(b.snapshot()).toBe(before);
  });

  it('IPC (dispatch): a deep value is refused before the schema recurses into it', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const r = await b.invoke('secrets:create', { workspaceId: b.defaultWs, name: 'ipc-deep', value: { a: deep } as never });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    // A cycle (structured clones can hold one) is too deep too.
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(await b.invoke('secrets:create', { workspaceId: b.defaultWs, name: 'ipc-cycle', value: cycle as never })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

describe('query parameters: unknown or repeated → 400 naming the parameter, on every route', () => {
  it('an unknown parameter', async () => {
    for (const r of REST_ROUTES) {
      const e = await refused(400, r.method, `${pathOf(r)}?colour=blue`, { headers: b.owner() });
      expect(e, label(r)).toMatchObject({ field: 'colour', message: 'unknown query parameter: colour' });
    }
  });

  it('a repeated parameter the route reads', async () => {
    let checked = 0;
    for (const r of REST_ROUTES) {
      const q = r.request?.query;
      const fields = inputFields(r.channel);
      const name = q === 'strict' ? Object.keys(fields?.properties ?? {}).find((k) => k !== 'workspaceId') : q?.[0];
      if (!name) continue;
      const e = await refused(400, r.method, `${pathOf(r)}?${name}=1&${name}=2`, { headers: b.owner() });
      expect(e, label(r)).toMatchObject({ field: name, message: `${name} may be given once` });
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(8);
    const e = await refused(400, 'GET', '/secrets?limit=1&limit=2', { headers: b.owner() });
    expect(e).toEqual({ code: 'INVALID_INPUT', field: 'limit', message: 'limit may be given once' });
  });

  it('a repeated parameter on the streaming routes and the console bridge too', async () => {
    const paths = [
      ['GET', `/datastores/${ANY_ID}/objects/a.txt?x=1&x=2`],
      ['PUT', `/datastores/${ANY_ID}/upload/tok?x=1&x=2`],
      ['GET', `/console/datastores/${ANY_ID}/object?key=a&key=b&token=${b.consoleToken}`],
      ['POST', `/ipc/workspaces:list?token=${b.consoleToken}&token=${b.consoleToken}`],
    ] as const;
    for (const [method, path] of paths) {
      const r = await fetch(`${b.url}${path}`, { method, headers: { ...b.owner(), 'x-console-token': b.consoleToken } });
      const json = (await r.json()) as { error?: { code: string; field?: string } };
      expect(r.status, path).toBe(400);
      expect(json.error, path).toMatchObject({ code: 'INVALID_INPUT' });
      expect(json.error?.field, path).toMatch(/^(x|key|token)$/);
    }
  });

  it('a parameter that would set what the caller decides (the workspace)', async () => {
    const e = await refused(400, 'GET', `/audit-events?workspaceId=${ANY_ID}`, { headers: b.owner() });
    expect(e.field).toBe('workspaceId');
  });
});

describe('unknown body fields → 400 naming the field, on every route', () => {
  it('every route with a body, at the top level', async () => {
    for (const r of REST_ROUTES.filter((x) => x.request?.body)) {
      const e = await refused(400, r.method, pathOf(r), { headers: b.owner(), body: { colour: 'blue' } });
      expect(e, label(r)).toMatchObject({ field: 'colour', message: 'unknown field: colour' });
    }
  });

  it('a typo is named rather than the field it leaves out; the workspace is refused by name', async () => {
    expect(await refused(400, 'POST', '/secrets', { headers: b.owner(), body: { nme: 'x', value: 'v' } })).toMatchObject({ field: 'nme', message: 'unknown field: nme' });
    expect(await refused(400, 'POST', '/secrets', { headers: b.owner(), body: { name: 'x', value: 'v', workspaceId: b.defaultWs } })).toMatchObject({
      field: 'workspaceId',
      message: 'unknown field: workspaceId',
    });
  });

  it('inside nested objects, named by path', async () => {
    expect(await refused(400, 'PATCH', '/settings', { headers: b.owner(), body: { restApi: { port: 5000, colour: 1 } } })).toMatchObject({
      field: 'restApi.colour',
      message: 'unknown field: restApi.colour',
    });
    expect(await refused(400, 'POST', '/secrets', { headers: b.owner(), body: { name: 'g', generate: { length: 20, alphabet: 'alnum', seed: 1 } } })).toMatchObject({
      field: 'generate.seed',
    });
  });

  it('every route without a body refuses one with fields (an empty one is no input)', async () => {
    for (const r of REST_ROUTES.filter((x) => !x.request?.body && x.method !== 'GET')) {
      const e = await refused(400, r.method, pathOf(r), { headers: b.owner(), body: { value: 'x' } });
      expect(e, label(r)).toMatchObject({ field: 'value', message: 'unknown field: value' });
    }
    const s = await b.call('POST', '/secrets', { headers: b.owner(), body: { name: 'reveal-me', value: 'v' } });
    expect((await b.call('POST', `/secrets/${s.json.id as string}/reveal`, { headers: b.owner(), body: {} })).status).toBe(200);
    expect((await b.call('POST', `/secrets/${s.json.id as string}/reveal`, { headers: b.owner(), raw: '' })).status).toBe(200);
  });
});

describe('the console bridge reads its envelope strictly', () => {
  it('{input} and nothing else: another field is named', async () => {
    const r = await bridge('workspaces:list', '{"inputs":{}}');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'inputs', message: 'unknown field: inputs' } });
    expect((await bridge('workspaces:list', '{}')).json.ok).toBe(true);
  });
});

describe('forged cursors → 400 "invalid cursor" on every list', () => {
  const LISTS = ['/secrets', '/connections', '/oauth-apps', '/users', '/api-keys', '/audit-events'] as const;

  /** A real nextCursor of `path` in the workspace of `headers`. */
  async function realCursor(path: string, headers: Record<string, string>): Promise<string> {
    const r = await b.call('GET', `${path}?limit=1`, { headers });
    expect(r.status, `${path}: ${JSON.stringify(r.json)}`).toBe(200);
    const next = r.json.nextCursor as string | null;
    expect(next, `${path} needs two items`).not.toBeNull();
    return next!;
  }

  async function seed(headers: Record<string, string>, workspaceId: string) {
    for (const n of [1, 2]) {
      expect((await b.call('POST', '/secrets', { headers, body: { name: `cursor-${n}`, value: 'v' } })).status).toBe(201);
      expect((await b.call('POST', '/connections', { headers, body: { name: `cursor-${n}`, provider: 'pagerduty', authType: 'apikey', credential: 'k' } })).status).toBe(201);
      b.key(['admin'], workspaceId);
      await b.user('viewer', workspaceId);
    }
    for (const provider of ['slack', 'github']) expect((await b.call('POST', '/oauth-apps', { headers, body: { provider, clientId: `id-${provider}` } })).status).toBe(201);
  }

  it('garbage, random base64, the old bare format, another list, another workspace, a wrong key', async () => {
    const other = await b.call('POST', '/workspaces', { headers: b.owner(), body: { name: 'cursor elsewhere' } });
    const otherWs = other.json.id as string;
    await seed(b.owner(), b.defaultWs);
    await seed(b.owner({ 'x-workspace-id': otherWs }), otherWs);

    const real = Object.fromEntries(await Promise.all(LISTS.map(async (p) => [p, await realCursor(p, b.owner())] as const)));
    for (const path of LISTS) {
      // The real one works.
      expect((await b.call('GET', `${path}?limit=1&cursor=${real[path]}`, { headers: b.owner() })).status).toBe(200);
      const elsewhere = await realCursor(path, b.owner({ 'x-workspace-id': otherWs }));
      const anotherList = real[LISTS[(LISTS.indexOf(path) + 1) % LISTS.length]!]!;
      const forged = {
        garbage: 'not-a-cursor!!',
        'random base64': Buffer.from('8f1c2a9be07d44f1a3', 'hex').toString('base64url'),
        'old bare format (string)': Buffer.from('"zzz"').toString('base64url'),
        'old bare format (number)': Buffer.from('5').toString('base64url'),
        'a JSON array': Buffer.from('[1,2]').toString('base64url'),
        'another list': anotherList,
        'another workspace': elsewhere,
        'a real cursor with stray characters': `${real[path]}%24%24`,
        truncated: real[path]!.slice(0, -4),
      };
      for (const [what, cursor] of Object.entries(forged)) {
        const e = await refused(400, 'GET', `${path}?cursor=${cursor}`, { headers: b.owner() });
        expect(e, `${path}: ${what}`).toMatchObject({ field: 'cursor' });
        expect(e.message, `${path}: ${what}`).toMatch(/^invalid cursor/);
      }
    }
  });

  it('over IPC the same', async () => {
    const r = await b.invoke('secrets:list', { workspaceId: b.defaultWs, cursor: Buffer.from('"zzz"').toString('base64url') });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'cursor' } });
  });
});
