import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { envelopeKeyId, openV1, sealV1 } from '@core/vault/envelope';

describe('envelope key id', () => {
  it('reads each envelope its own key id, also when envelopes of different keys alternate', () => {
    const keys = [randomUUID(), randomUUID(), randomUUID()];
    const sealed = keys.map((id) => sealV1(randomBytes(32), id, Buffer.from('v'), 'r'));
    for (let round = 0; round < 3; round++) {
      for (const i of [0, 0, 1, 2, 1, 0, 2, 2]) expect(envelopeKeyId(sealed[i]!)).toBe(keys[i]);
    }
  });

  it('keeps no view on the caller buffer: zeroing an envelope after reading it changes no later answer', () => {
    const id = randomUUID();
    const key = randomBytes(32);
    const a = sealV1(key, id, Buffer.from('a'), 'r');
    const b = sealV1(key, id, Buffer.from('b'), 'r');
    expect(envelopeKeyId(a)).toBe(id);
    a.fill(0, 1);
    a[0] = 1;
    expect(envelopeKeyId(b)).toBe(id);
    expect(envelopeKeyId(a)).toBe('00000000-0000-0000-0000-000000000000');
    expect(openV1(key, b, 'r').toString()).toBe('b');
  });

  it('still refuses a short or unknown-format envelope before looking at the key id', () => {
    const sealed = sealV1(randomBytes(32), randomUUID(), Buffer.from('v'), 'r');
    envelopeKeyId(sealed);
    expect(() => envelopeKeyId(sealed.subarray(0, 40))).toThrow(/integrity check/);
    const other = Buffer.from(sealed);
    other[0] = 2;
    expect(() => envelopeKeyId(other)).toThrow(/unknown format \(version 2\)/);
  });
});
