import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dummyHash, hashPassword, scryptPasswordHasher, verifyPassword } from '@core/identity/password-hasher';
import { createLoginThrottle } from '@core/identity/login-throttle';

describe('scrypt password hashes', () => {
  it('store their parameters and a per-hash salt, and verify only the right password', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery staple', a)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', a)).toBe(false);
  });

  it('verify hashes made with other (stored) parameters, and reject malformed ones', async () => {
    const cheap = await hashPassword('pw with cheap params', { N: 1024, r: 8, p: 1, keyLength: 16, saltLength: 8 });
    expect(cheap.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('pw with cheap params', cheap)).toBe(true);
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$0$8$1$aa$bb')).toBe(false);
  });
});

describe('scrypt password hashes: what verify refuses', () => {
  const CHEAP = { N: 1024, r: 8, p: 1, keyLength: 16, saltLength: 8 };

  it('compare the NFC form, so the NFD spelling of a password is the same password', async () => {
    const nfc = 'caf\u00e9 cr\u00e8me';
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    expect(await verifyPassword(nfd, await hashPassword(nfc, CHEAP))).toBe(true);
    expect(await verifyPassword(nfc, await hashPassword(nfd, CHEAP))).toBe(true);
  });

  it('never accept a hash with another scheme, more or fewer fields, bad parameters or an empty hash', async () => {
    const good = await hashPassword('pw', CHEAP);
    const [, N, r, p, salt, hash] = good.split('$');
    expect(await verifyPassword('pw', good)).toBe(true);
    for (const stored of [
      ['bcrypt', N, r, p, salt, hash].join('$'),
      [good, 'extra'].join('$'),
      ['scrypt', N, r, p, hash].join('$'),
      ['scrypt', '1024.5', r, p, salt, hash].join('$'),
      ['scrypt', N, '-8', p, salt, hash].join('$'),
      ['scrypt', N, r, '0', salt, hash].join('$'),
      ['scrypt', N, r, p, salt, ''].join('$'),
    ]) {
      expect(await verifyPassword('pw', stored), stored).toBe(false);
    }
  });

  it('the stored hash is scrypt of the NFC password with the salt and the parameters it names', async () => {
    for (const params of [CHEAP, { N: 2048, r: 4, p: 2, keyLength: 24, saltLength: 12 }]) {
      const h = await hashPassword('known \u00e9', params);
      const [, N, r, p, salt, hash] = h.split('$') as [string, string, string, string, string, string];
      expect([Number(N), Number(r), Number(p)]).toEqual([params.N, params.r, params.p]);
      expect(Buffer.from(salt, 'base64url')).toHaveLength(params.saltLength);
      const expected = scryptSync('known \u00e9'.normalize('NFC'), Buffer.from(salt, 'base64url'), params.keyLength, { N: params.N, r: params.r, p: params.p });
      expect(hash).toBe(expected.toString('base64url'));
    }
  });

  it('the default parameters (N=2^15, 32 MiB) run within the memory they ask for', async () => {
    const h = await scryptPasswordHasher.hash('default-params');
    expect(h.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(await scryptPasswordHasher.verify('default-params', h)).toBe(true);
    expect(await scryptPasswordHasher.verify('other', h)).toBe(false);
  });

  it('the dummy hash (for unknown usernames) is one real scrypt hash at full cost that no guess matches', async () => {
    const a = await dummyHash();
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await scryptPasswordHasher.dummyHash()).toBe(a);
    expect(await verifyPassword('', a)).toBe(false);
  });
});

describe('login throttle', () => {
  it('locks a (username, client) pair after 5 attempts within the window, for the lock time', () => {
    let t = 0;
    const th = createLoginThrottle({ clock: { now: () => new Date(t) } });
    for (let i = 0; i < 4; i++) expect(th.reserve('u|ip')).toBe(0);
    expect(th.retryAfter('u|ip')).toBe(0);
    expect(th.reserve('u|ip')).toBe(0);
    expect(th.retryAfter('u|ip')).toBe(300);
    expect(th.retryAfter('u|other-ip')).toBe(0);
    t += 299_500;
    expect(th.retryAfter('u|ip')).toBe(1);
    t += 1000;
    expect(th.retryAfter('u|ip')).toBe(0);
  });

  it('forgets failures older than the window, and a success clears the count', () => {
    let t = 0;
    const th = createLoginThrottle({ clock: { now: () => new Date(t) } });
    for (let i = 0; i < 4; i++) th.reserve('k');
    t += 16 * 60_000;
    th.reserve('k');
    expect(th.retryAfter('k')).toBe(0);
    for (let i = 0; i < 3; i++) th.reserve('k');
    th.succeeded('k');
    th.reserve('k');
    expect(th.retryAfter('k')).toBe(0);
  });

  it('reserves synchronously: the sixth of a burst is refused before any of the first five has finished', () => {
    const th = createLoginThrottle({ clock: { now: () => new Date(0) } });
    const answers = Array.from({ length: 41 }, () => th.reserve('burst'));
    expect(answers.filter((w) => w === 0)).toHaveLength(5);
    expect(answers.slice(5).every((w) => w === 300)).toBe(true);
  });

  it('a success among the reserved attempts lifts the lock it completed', () => {
    const th = createLoginThrottle({ clock: { now: () => new Date(0) } });
    for (let i = 0; i < 5; i++) th.reserve('k');
    expect(th.reserve('k')).toBe(300);
    th.succeeded('k');
    expect(th.reserve('k')).toBe(0);
  });

  it('a failure exactly one window old no longer counts', () => {
    let t = 0;
    const th = createLoginThrottle({ clock: { now: () => new Date(t) }, windowMs: 1000 });
    for (let i = 0; i < 4; i++) th.reserve('k');
    t = 1000;
    expect(th.reserve('k')).toBe(0);
    expect(th.retryAfter('k')).toBe(0);
  });

  it('a lock starts a new count: once it ends, one more failure does not lock the pair again', () => {
    let t = 0;
    const th = createLoginThrottle({ clock: { now: () => new Date(t) } });
    for (let i = 0; i < 5; i++) th.reserve('k');
    expect(th.retryAfter('k')).toBe(300);
    t += 300_000;
    expect(th.reserve('k')).toBe(0);
    expect(th.retryAfter('k')).toBe(0);
    for (let i = 0; i < 3; i++) expect(th.reserve('k')).toBe(0);
    expect(th.retryAfter('k')).toBe(0);
    expect(th.reserve('k')).toBe(0);
    expect(th.retryAfter('k')).toBe(300);
  });

  it('a spray of usernames does not make it forget a locked pair or a pair with recent failures', () => {
    let t = 0;
    const th = createLoginThrottle({ clock: { now: () => new Date(t) } });
    for (let i = 0; i < 5; i++) th.reserve('locked');
    for (let i = 0; i < 4; i++) th.reserve('counting');
    t += 1000;
    for (let i = 0; i < 10_001; i++) th.reserve(`spray-${i}|ip`);
    expect(th.retryAfter('locked')).toBe(299);
    expect(th.reserve('counting')).toBe(0);
    expect(th.retryAfter('counting')).toBe(300);
  });

  // A clock at a real date: the window arithmetic must hold for Unix-epoch milliseconds, not only near zero.
  const T = Date.parse('2026-05-01T12:00:00Z');
  const W = 15 * 60_000;

  it('counts failures in the window at a real date', () => {
    let t = T;
    const th = createLoginThrottle({ clock: { now: () => new Date(t) } });
    for (let i = 0; i < 4; i++) th.reserve('k');
    t += W - 1;
    th.reserve('k');
    expect(th.retryAfter('k')).toBe(300);
  });

  it('past 10,000 pairs it forgets those with nothing recent, and only those', () => {
    let t = T;
    const th = createLoginThrottle({ clock: { now: () => new Date(t) } });
    th.reserve('mixed'); // one failure that will be a window old at the sweep …
    for (let i = 0; i < 5; i++) th.reserve('locked'); // a lock that will have ended
    for (let i = 0; i < 9_996; i++) th.reserve(`stale-${i}`); // failures exactly a window old at the sweep
    t = T + W / 2;
    for (let i = 0; i < 3; i++) th.reserve('mixed'); // … and three recent ones
    t = T + W - 300_000;
    for (let i = 0; i < 5; i++) th.reserve('boundary'); // locked until the very moment of the sweep
    t = T + W;
    th.reserve('fresh-a');
    expect(th.trackedPairs()).toBe(10_000); // at the bound, not over it: nothing forgotten yet
    th.reserve('fresh-b');
    // Over it: the stale pairs and the ended lock go; recent failures, a lock not yet over and the fresh pairs stay.
    expect(th.trackedPairs()).toBe(4);
    th.reserve('mixed');
    expect(th.retryAfter('mixed')).toBe(0);
    th.reserve('mixed');
    expect(th.retryAfter('mixed')).toBe(300);
  });
});
