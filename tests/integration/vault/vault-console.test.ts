import { afterEach, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/test-server';

const servers: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function server() {
  const s = await startTestServer();
  servers.push(s);
  return s;
}

const post = (s: { url: string }, channel: string, body: string, token?: string) =>
  fetch(`${s.url}/ipc/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { 'x-console-token': token } : {}) },
    body,
  });

it('the console bridge takes a multi-megabyte backup upload, and only with the token', async () => {
  const s = await server();
  // 3 MiB of base64 that is not a backup: it reaches the handler (the body limit allows it) and is refused there.
  const data = Buffer.alloc(3 * 1024 * 1024, 7).toString('base64');
  const body = JSON.stringify({ input: { data, passphrase: 'x', protect: { mode: 'keychain' } } });
  const res = await post(s, 'vault:restoreBackup', body, s.consoleToken);
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/not a usable ProvenanceOne vault backup/);

  const anonymous = await post(s, 'vault:restoreBackup', body);
  expect(anonymous.status).toBe(401);
  expect(s.core.vault.status().state).toBe('uninitialized');
});

it('vault status and setup over the console bridge, with the vault:changed push', async () => {
  const s = await server();
  const pushes: unknown[] = [];
  s.core.bus.subscribe((e, p) => e === 'vault:changed' && pushes.push(p));
  const st = await post(s, 'vault:status', JSON.stringify({}), s.consoleToken);
  expect(((await st.json()) as { value: { state: string } }).value.state).toBe('uninitialized');
  const init = await post(s, 'vault:initialize', JSON.stringify({ input: { mode: 'keychain' } }), s.consoleToken);
  expect(init.status).toBe(200);
  expect(pushes).toEqual([{ state: 'unlocked', mode: 'keychain' }]);
});
