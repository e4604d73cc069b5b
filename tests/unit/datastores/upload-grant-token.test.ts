import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signUploadGrant, verifyUploadGrant, type UploadGrant } from '@core/datastores/upload-grant-token';

const key = randomBytes(32);
const grant: UploadGrant = { d: 'ds-1', k: 'reports/a.csv', c: 'text/csv', e: 1_900_000_000, m: 1000, u: 'vera' };

describe('upload grant tokens', () => {
  it('carry the grant under a MAC of this key', () => {
    const token = signUploadGrant(key, grant);
    expect(verifyUploadGrant(() => key, token)).toEqual(grant);
    expect(verifyUploadGrant(() => randomBytes(32), token)).toBeNull();
  });

  it('refuse any change to the grant or the MAC, and malformed tokens, asking for the key only when well formed', () => {
    const token = signUploadGrant(key, grant);
    const [payload, sig] = token.split('.') as [string, string];
    const otherKey = Buffer.from(JSON.stringify({ ...grant, k: 'other.csv' })).toString('base64url');
    const flipped = sig.slice(0, -2) + (sig.endsWith('AA') ? 'BB' : 'AA');
    for (const bad of [`${otherKey}.${sig}`, `${payload}.${flipped}`, `${payload}.${sig}.x`]) expect(verifyUploadGrant(() => key, bad)).toBeNull();
    let asked = 0;
    const counting = () => (asked++, key);
    for (const malformed of ['', payload, `.${sig}`, `${payload}.`]) expect(verifyUploadGrant(counting, malformed)).toBeNull();
    expect(asked).toBe(0);
  });

  it('refuse a MAC of another length without throwing, and a correctly signed payload that is not JSON', () => {
    const token = signUploadGrant(key, grant);
    const [payload, sig] = token.split('.') as [string, string];
    expect(verifyUploadGrant(() => key, `${payload}.${sig.slice(0, 20)}`)).toBeNull();
    expect(verifyUploadGrant(() => key, `${payload}.${sig}AAAA`)).toBeNull();
    // The MAC as the format defines it (HMAC-SHA256 under the context "p1-upload-v1\n"), over bytes that are not JSON.
    const notJson = Buffer.from('{not json').toString('base64url');
    const mac = createHmac('sha256', key).update(`p1-upload-v1\n${notJson}`).digest('base64url');
    expect(verifyUploadGrant(() => key, `${notJson}.${mac}`)).toBeNull();
    const json = Buffer.from(JSON.stringify(grant)).toString('base64url');
    expect(verifyUploadGrant(() => key, `${json}.${createHmac('sha256', key).update(`p1-upload-v1\n${json}`).digest('base64url')}`)).toEqual(grant);
  });
});
