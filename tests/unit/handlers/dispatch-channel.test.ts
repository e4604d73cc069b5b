import { describe, expect, it } from 'vitest';
import { dispatch, type Handlers } from '@core/handlers/dispatch';
import { silentLogger } from '@core/ports';

/**
 * Found by the fuzz suite: dispatch answers any channel name it is given with an envelope, never by throwing. A
 * name that is no string and cannot become one (an object without a prototype) made the NOT_FOUND message throw.
 */
const handlers = {} as Handlers;
const actor = { kind: 'local', id: 'local:t', name: 't', origin: 'ipc' } as const;

describe('dispatch with a name that is no channel', () => {
  const names: Array<[string, unknown]> = [
    ['an object without a prototype', Object.create(null)],
    ['a plain object', {}],
    ['a number', 42],
    ['null', null],
    ['a symbol', Symbol('secrets:list')],
    ['a prototype key', '__proto__'],
  ];
  for (const [label, name] of names) {
    it(`${label} → NOT_FOUND`, async () => {
      const r = await dispatch(handlers, name, undefined, { actor }, silentLogger);
      expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    });
  }

  it('a long name is cut in the message', async () => {
    const r = await dispatch(handlers, 'x'.repeat(500), undefined, { actor }, silentLogger);
    expect(r.ok ? '' : r.error.message).toBe(`unknown channel: ${'x'.repeat(80)}`);
  });
});
