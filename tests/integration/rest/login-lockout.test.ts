import { afterEach, describe, expect, it } from 'vitest';
import { scryptPasswordHasher, type PasswordHasher } from '@core/identity/password-hasher';
import { startTestServer } from '../../helpers/test-server';

const PASSWORD = 'correct horse battery staple';

/**
 * The lockout holds under parallelism: a burst of sign-ins sent at once must not get more passwords checked than
 * the five a lock window allows (issue 14, item 4: the lock used to be read before the asynchronous scrypt, so all
 * 41 of a burst were checked). The hasher is the real scrypt behind a counting port, so the burst really overlaps.
 */
function countingHasher() {
  const verified: string[] = [];
  const hasher: PasswordHasher = {
    hash: (p) => scryptPasswordHasher.hash(p),
    dummyHash: () => scryptPasswordHasher.dummyHash(),
    verify: (p, stored) => {
      verified.push(p);
      return scryptPasswordHasher.verify(p, stored);
    },
  };
  return { hasher, verified };
}

let stop: (() => Promise<void>) | null = null;
afterEach(async () => {
  await stop?.();
  stop = null;
});

async function bench() {
  const counting = countingHasher();
  const s = await startTestServer({}, { ready: true, ports: { passwordHasher: counting.hasher } });
  stop = s.stop;
  await s.core.users.create({ workspaceId: s.core.workspaces.defaultWorkspace().id, username: 'vera', password: PASSWORD, role: 'viewer' }, s.admin);
  counting.verified.length = 0;
  const login = (username: string, password: string) =>
    fetch(`${s.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) }).then(
      async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as { token?: string; error?: { code: string } } }),
    );
  return { s, login, verified: counting.verified };
}

describe('sign-in lockout under a burst of parallel attempts', () => {
  it('41 wrong passwords at once: at most 5 are checked, the rest get 429 with Retry-After', async () => {
    const { login, verified } = await bench();
    const answers = await Promise.all(Array.from({ length: 41 }, (_, i) => login('vera', `wrong password ${i}`)));
    expect(verified.length).toBeLessThanOrEqual(5);
    const unauthenticated = answers.filter((a) => a.status === 401);
    const limited = answers.filter((a) => a.status === 429);
    expect(unauthenticated.length).toBe(verified.length);
    expect(unauthenticated.length + limited.length).toBe(41);
    for (const a of limited) {
      expect(a.body.error?.code).toBe('RATE_LIMITED');
      expect(Number(a.retryAfter)).toBeGreaterThan(0);
    }
    // The lock stands after the burst: the right password is refused without being checked.
    const after = await login('vera', PASSWORD);
    expect(after.status).toBe(429);
    expect(verified.length).toBeLessThanOrEqual(5);
  });

  it('the right password among 41 at once: still at most 5 checked; it signs in only if it was among them', async () => {
    const { login, verified } = await bench();
    const passwords = Array.from({ length: 41 }, (_, i) => (i === 2 ? PASSWORD : `wrong password ${i}`));
    const answers = await Promise.all(passwords.map((p) => login('vera', p)));
    expect(verified.length).toBeLessThanOrEqual(5);
    const signedIn = answers.filter((a) => a.status === 200);
    expect(signedIn.length).toBe(verified.includes(PASSWORD) ? 1 : 0);
    for (const a of signedIn) expect(typeof a.body.token).toBe('string');
    expect(answers.filter((a) => a.status === 429).length).toBe(41 - verified.length);
  });

  it('unknown usernames are limited the same way (the dummy check counts)', async () => {
    const { login, verified } = await bench();
    const answers = await Promise.all(Array.from({ length: 41 }, (_, i) => login('nobody', `guess ${i}`)));
    expect(verified.length).toBeLessThanOrEqual(5);
    expect(answers.filter((a) => a.status === 429).length).toBe(41 - verified.length);
  });

  it('the limit is per username and address: another username is not locked by the burst', async () => {
    const { s, login, verified } = await bench();
    await s.core.users.create({ workspaceId: s.core.workspaces.defaultWorkspace().id, username: 'otto', password: PASSWORD, role: 'viewer' }, s.admin);
    verified.length = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => login('vera', `wrong ${i}`)));
    const otto = await login('otto', PASSWORD);
    expect(otto.status).toBe(200);
    expect(verified.length).toBeLessThanOrEqual(6);
  });
});
