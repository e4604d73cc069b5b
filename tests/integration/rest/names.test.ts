import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_STATUS } from '@shared/ipc/result';
import { startRestBench, type RestBench } from './rest-harness';

/**
 * Names are unique by nameKey (NFKC + full case folding), in every room that has unique names, over REST as over
 * IPC (both reach the same services). Before: COLLATE NOCASE, which folds ASCII only, so `CAFÉ-DB` and the NFD
 * spelling of `café-db` were new names.
 */
let b: RestBench;
beforeAll(async () => {
  b = await startRestBench();
});
afterAll(() => b.stop());

const NFD = 'cafe\u0301-db';
const SAME_AS_CAFE = ['CAFÉ-DB', NFD, 'Café-Db', 'ＣＡＦＥ\u0301-ＤＢ'];
const SAME_AS_STRASSE = ['STRASSE', 'strasse', 'STRAẞE'];

type Room = { create: (name: string) => Promise<{ status: number; json: Record<string, unknown> }>; rename: (id: string, name: string) => Promise<{ status: number; json: Record<string, unknown> }> };

function rooms(): Record<'workspaces' | 'secrets' | 'connections', Room> {
  const h = b.owner();
  return {
    workspaces: {
      create: (name) => b.call('POST', '/workspaces', { headers: h, body: { name } }),
      // No REST route renames a workspace: the IPC channel (the same service) does.
      rename: async (id, name) => {
        const r = await b.invoke('workspaces:rename', { id, name });
        return r.ok ? { status: 200, json: r.value } : { status: HTTP_STATUS[r.error.code], json: { error: r.error } };
      },
    },
    secrets: {
      create: (name) => b.call('POST', '/secrets', { headers: h, body: { name, value: 'v' } }),
      rename: (id, name) => b.call('PATCH', `/secrets/${id}`, { headers: h, body: { name } }),
    },
    connections: {
      create: (name) => b.call('POST', '/connections', { headers: h, body: { name, provider: 'pagerduty', authType: 'apikey', credential: 'k' } }),
      rename: (id, name) => b.call('PATCH', `/connections/${id}`, { headers: h, body: { name } }),
    },
  };
}

describe('names are one name in all of Unicode, ignoring case → 409 on every room', () => {
  for (const room of ['workspaces', 'secrets', 'connections'] as const) {
    it(`${room}: café-db, CAFÉ-DB, the NFD form and fullwidth are one name; Straße and STRASSE too`, async () => {
      const r = rooms()[room];
      const first = await r.create('café-db');
      expect(first.status, JSON.stringify(first.json)).toBe(201);
      for (const name of SAME_AS_CAFE) {
        const again = await r.create(name);
        expect(again.status, `${room} ${JSON.stringify(name)}`).toBe(409);
        expect(again.json.error).toMatchObject({ code: 'CONFLICT', field: 'name' });
      }
      expect((await r.create('Straße')).status).toBe(201);
      for (const name of SAME_AS_STRASSE) expect((await r.create(name)).status, `${room} ${name}`).toBe(409);

      // Renaming onto another's name is refused the same way; a change of case of its own name is not a conflict.
      const other = await r.create(`${room}-other`);
      expect(other.status).toBe(201);
      const otherId = other.json.id as string;
      expect((await r.rename(otherId, NFD.toUpperCase())).status).toBe(409);
      expect((await r.rename(first.json.id as string, 'CAFÉ-DB')).status).toBe(200);
      expect((await r.rename(otherId, `${room.toUpperCase()}-OTHER`)).status).toBe(200);
    });
  }

  it('names differing only by dotless ı are different names (default case folding)', async () => {
    const r = rooms().secrets;
    expect((await r.create('ıd')).status).toBe(201);
    expect((await r.create('id')).status).toBe(201);
    expect((await r.create('ID')).status).toBe(409);
  });

  it('the list keeps its order and shows names as they were written', async () => {
    const list = await b.call('GET', '/secrets', { headers: b.owner() });
    const names = (list.json.items as Array<{ name: string }>).map((s) => s.name);
    expect(names).toContain('CAFÉ-DB');
    expect(names).toContain('Straße');
  });
});

describe('names refuse invisible and reordering characters → 400 naming the code point', () => {
  it.each([
    ['POST', '/workspaces', (name: string) => ({ name })],
    ['POST', '/secrets', (name: string) => ({ name, value: 'v' })],
    ['POST', '/connections', (name: string) => ({ name, provider: 'pagerduty', authType: 'apikey', credential: 'k' })],
    ['POST', '/api-keys', (name: string) => ({ name, scopes: ['admin'] })],
    ['POST', '/connections/authorize', (name: string) => ({ name, provider: 'slack' })],
  ])('%s %s', async (method, path, body) => {
    for (const [ch, cp] of [
      ['\u202E', 'U+202E'],
      ['\u200B', 'U+200B'],
      ['\u2066', 'U+2066'],
      ['\u0007', 'U+0007'],
    ] as const) {
      const before = b.snapshot();
      const r = await b.call(method, path, { headers: b.owner(), body: body(`invoice${ch}fdp.exe`) });
      expect(r.status, `${path} ${cp}`).toBe(400);
      expect(r.json.error).toMatchObject({ code: 'INVALID_INPUT', field: 'name' });
      expect(r.json.error?.message).toContain(cp);
      expect(b.snapshot()).toBe(before);
    }
  });
});
