import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '@core/identity/password-hasher';
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
});
