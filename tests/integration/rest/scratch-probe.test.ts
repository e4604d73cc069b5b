import { afterAll, beforeAll, it } from 'vitest';
import { startRestBench, type RestBench } from './rest-harness';
let b: RestBench;
beforeAll(async () => { b = await startRestBench(); });
afterAll(() => b.stop());
it('probe', async () => {
  const h = b.owner();
  const show = async (label: string, p: Promise<{ status: number; json: unknown }>) => { const r = await p; console.log(label, r.status, JSON.stringify(r.json).slice(0, 200)); };
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  await show('deep100k', b.call('POST', '/secrets', { headers: h, raw: deep(100000) }));
  await show('deep100k obj value', b.call('POST', '/secrets', { headers: h, raw: `{"name":"d","value":{"a":${deep(100000)}}}` }));
  await show('deep5k obj value', b.call('POST', '/secrets', { headers: h, raw: `{"name":"d5","value":{"a":${deep(5000)}}}` }));
  await show('deep70 obj value', b.call('POST', '/secrets', { headers: h, raw: `{"name":"d70","value":{"a":${deep(70)}}}` }));
  const bridge = (ch: string, raw: string) => fetch(`${b.url}/ipc/${ch}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-console-token': b.consoleToken }, body: raw }).then(async (r) => ({ status: r.status, json: await r.text() }));
  await show('bridge deep100k', bridge('secrets:create', deep(100000)));
  await show('bridge deep value', bridge('secrets:create', `{"input":{"workspaceId":"${b.defaultWs}","name":"bd","value":{"a":${deep(5000)}}}}`));
  await show('repeat limit secrets', b.call('GET', '/secrets?limit=1&limit=2', { headers: h }));
  await show('unknown q secrets', b.call('GET', '/secrets?colour=1', { headers: h }));
  const junk = Buffer.from('hello world garbage').toString('base64url');
  for (const p of ['/secrets', '/connections', '/oauth-apps', '/users', '/api-keys', '/audit-events', '/datastores']) {
    await show(`junk cursor ${p}`, b.call('GET', `${p}?cursor=${junk}`, { headers: h }));
    await show(`str cursor ${p}`, b.call('GET', `${p}?cursor=${Buffer.from('"zzz"').toString('base64url')}`, { headers: h }));
    await show(`num cursor ${p}`, b.call('GET', `${p}?cursor=${Buffer.from('1e308').toString('base64url')}`, { headers: h }));
    await show(`neg cursor ${p}`, b.call('GET', `${p}?cursor=${Buffer.from('-5').toString('base64url')}`, { headers: h }));
    await show(`arr cursor ${p}`, b.call('GET', `${p}?cursor=${Buffer.from('"[1,2]"').toString('base64url')}`, { headers: h }));
  }
});
