import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '@shared/domain/connection';
import { CREDENTIAL_HEADERS, authHeaders } from '@core/connections/provider-auth';

/** The one place credentials go on a request (Test connection and the workflow http step both call it). */
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const SETTINGS = { email: 'ops@example.com', username: 'svc', account: 'org-acct', user: 'svc_user' };

describe('provider auth headers', () => {
  for (const p of PROVIDERS) {
    it(`${p}: every header it sets is a credential header a step may not override, and every value on it is listed as injected`, async () => {
      const credential = p === 'snowflake' ? pem : `cred-${p}`;
      const { headers, injected } = await authHeaders(p, SETTINGS, credential, p === 'datadog' ? { applicationKey: 'app-key' } : {});
      expect(Object.keys(headers).length).toBeGreaterThan(0);
      for (const [name, value] of Object.entries(headers)) {
        expect(CREDENTIAL_HEADERS).toContain(name);
        if (value !== 'KEYPAIR_JWT') expect(injected).toContain(value);
      }
      expect(injected).toContain(credential);
    });
  }

  it('Basic credentials list the base64 part on its own too (a provider may echo just that)', async () => {
    const { headers, injected } = await authHeaders('zendesk', SETTINGS, 'tok');
    const b64 = Buffer.from('ops@example.com/token:tok').toString('base64');
    expect(headers.authorization).toBe(`Basic ${b64}`);
    expect(injected).toContain(b64);
  });
});
