import { afterEach, describe, expect, it } from 'vitest';
import { scryptPasswordHasher, type PasswordHasher } from '@core/identity/password-hasher';
import { startTestServer } from '../../helpers/test-server';

const PASSWORD = 'correct horse battery staple';

/**
 * The lockout holds under parallelism: a burst of sign-ins sent at once must not get more passwords checked than
 * the five a lock window allows (issue 14, item 4: the lock used to be read before the asynchronous scrypt, so all
 * 41 of a burst were checked). The hasher is the real scrypt behind a counting port. `burst()` holds every check
 * until the server has taken in the whole burst (each request is either being checked or already refused), so the
 * 41 really arrive together however loaded the machine is; a success clears the pair (today's rule), and with the
 * checks held no request of the burst can arrive after it.
 */
function countingHasher() {
  const verified: string[] = [];
  let open: () => void = () => {};
  let gate: Promise<void> | null = null;
  const hasher: PasswordHasher = {
    hash: (p) => scryptPasswordHasher.hash(p),
    dummyHash: () => scryptPasswordHasher.dummyHash(),
    verify: async (p, stored) => {
      verified.push(p);
      held.onCheck();
      if (gate) await gate;
      return scryptPasswordHasher.verify(p, stored);
    },
  };
  const held = {
    onCheck: () => {},
    hold(): void {
      gate = new Promise<void>((r) => (open = r));
    },
    release(): void {
      open();
      gate = null;
    },
  };
  return { hasher, verified, held };
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
  /** Sends all sign-ins at once; the checks wait until every one of them is being checked or has been refused. */
  async function burst(username: string, passwords: string[]) {
    // While the checks are held, every answer is a request refused without a check (429, or any other error).
    let answeredUnchecked = 0;
    const maybeOpen = () => {
      if (counting.verified.length + answeredUnchecked >= passwords.length) counting.held.release();
    };
    counting.held.hold();
    counting.held.onCheck = maybeOpen;
    const answers = await Promise.all(
      passwords.map((p) =>
        login(username, p).then((a) => {
          answeredUnchecked++;
          maybeOpen();
          return a;
        }),
      ),
    );
    counting.held.onCheck = () => {};
    return answers;
  }
  return { s, login, burst, verified: counting.verified };
}

describe('sign-in lockout under a burst of parallel attempts', () => {
  it('41 wrong passwords at once: at most 5 are checked, the rest get 429 with Retry-After', async () => {
    const { login, burst, verified } = await bench();
    const answers = await burst('vera', Array.from({ length: 41 }, (_, i) => `wrong password ${i}`));
    expect(verified.length).toBe(5); // the five a window allows, no more (and no fewer)
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
    const { burst, verified } = await bench();
    const answers = await burst('vera', Array.from({ length: 41 }, (_, i) => (i === 2 ? PASSWORD : `wrong password ${i}`)));
    expect(verified.length).toBeLessThanOrEqual(5);
    const signedIn = answers.filter((a) => a.status === 200);
    expect(signedIn.length).toBe(verified.includes(PASSWORD) ? 1 : 0);
    for (const a of signedIn) expect(typeof a.body.token).toBe('string');
    expect(answers.filter((a) => a.status === 429).length).toBe(41 - verified.length);
  });

  it('unknown usernames are limited the same way (the dummy check counts)', async () => {
    const { burst, verified } = await bench();
    const answers = await burst('nobody', Array.from({ length: 41 }, (_, i) => `guess ${i}`));
    expect(verified.length).toBeLessThanOrEqual(5);
    expect(answers.filter((a) => a.status === 429).length).toBe(41 - verified.length);
  });

  it('the limit is per username and address: another username is not locked by the burst', async () => {
    const { s, login, burst, verified } = await bench();
    await s.core.users.create({ workspaceId: s.core.workspaces.defaultWorkspace().id, username: 'otto', password: PASSWORD, role: 'viewer' }, s.admin);
    verified.length = 0;
    await burst('vera', Array.from({ length: 20 }, (_, i) => `wrong ${i}`));
    const otto = await login('otto', PASSWORD);
    expect(otto.status).toBe(200);
    expect(verified.length).toBeLessThanOrEqual(6);
  });
});
