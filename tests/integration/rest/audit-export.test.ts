import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../helpers/csv-parse';
import { PASSWORD, startRestBench, type RestBench } from './rest-harness';

let b: RestBench;
beforeAll(async () => (b = await startRestBench()));
afterAll(() => b.stop());

describe('GET /audit-events/export', () => {
  it('gives an audit:read key every matching event as a CSV file, and refuses a key without the scope', async () => {
    const admin = await b.user('admin');
    for (const name of ['export-a', 'export-b']) {
      expect((await b.call('POST', '/users', { headers: admin.headers, body: { username: name, password: PASSWORD, role: 'viewer' } })).status).toBe(201);
    }
    const reader = b.key(['audit:read']);
    const r = await b.call('GET', '/audit-events/export?format=csv&action=user.created', { headers: reader.headers });
    expect(r.status).toBe(200);
    const body = r.json as { format: string; filename: string; contentType: string; count: number; content: string };
    expect(body).toMatchObject({ format: 'csv', contentType: 'text/csv; charset=utf-8' });
    const rows = parseCsv(body.content).slice(1);
    expect(rows.map((row) => row[10])).toEqual(expect.arrayContaining(['export-a', 'export-b']));
    expect(rows.every((row) => row[1] === 'user.created')).toBe(true);
    expect(body.count).toBe(rows.length);
    expect(body.content).not.toContain(PASSWORD);

    const noScope = await b.call('GET', '/audit-events/export?format=csv', { headers: b.key(['secrets:read']).headers });
    expect(noScope.status).toBe(403);
    const viewer = await b.call('GET', '/audit-events/export?format=json', { headers: (await b.user('viewer')).headers });
    expect(viewer.status).toBe(403);
    const bad = await b.call('GET', '/audit-events/export?format=pdf', { headers: reader.headers });
    expect(bad.status).toBe(400);
  });
});
