import { describe, expect, it } from 'vitest';
import { PROVIDERS, PROVIDER_CATALOG, baseUrlField } from '@shared/domain/connection.catalog';
import { credentialFieldProblems, credentialProblem, plainCoreMessage, settingsProblems } from '../../../renderer/src/features/connections/credential-checks';

/** The forms' words: every problem the catalog finds is said in plain words, without API field names. */
const API_NAMES = /settings\.|credentialFields\.|\bcredential \(|is required for /;

describe('connection form problems', () => {
  it('every provider: empty required settings and a wrong credential are said plainly, naming the field by its label', () => {
    for (const p of PROVIDERS) {
      const found = settingsProblems(p, {});
      for (const f of PROVIDER_CATALOG[p].settings.filter((x) => x.required && x.defaultValue === undefined)) {
        expect(found[f.key], `${p}.${f.key}`).toMatch(/^Enter the /);
        expect(found[f.key]).not.toMatch(API_NAMES);
      }
      if (PROVIDER_CATALOG[p].credential) {
        expect(credentialProblem(p, '')).toMatch(/^(Enter|Paste) the /);
        expect(credentialProblem(p, 'a\nb')).not.toMatch(API_NAMES);
      }
    }
  });

  it('formats: URL, email, subdomain, enum', () => {
    expect(settingsProblems('jira', { siteUrl: 'http://jira.example.com', email: 'x' })).toEqual({
      siteUrl: 'Use an https:// address (http:// works only for this machine).',
      email: 'Enter an email address, for example you@example.com.',
    });
    expect(settingsProblems('okta', { orgUrl: 'okta' }).orgUrl).toBe('Enter a full address starting with https://, for example https://your-org.okta.com.');
    expect(settingsProblems('jira', { siteUrl: 'https://u:p@x.example', email: 'a@b.co' }).siteUrl).toBe('Leave the user name and password out of the address.');
    expect(settingsProblems('zendesk', { subdomain: 'a b', email: 'a@b.co' }).subdomain).toBe("Use only letters, digits, '-', '_' and '.' (the part before .zendesk.com).");
    expect(settingsProblems('datadog', { site: 'example.com' }).site).toBe('Choose one of the options in the list.');
    expect(settingsProblems('pagerduty', { baseUrl: 'ftp://x' }).baseUrl).toBe('Use an https:// address (http:// works only for this machine).');
    expect(settingsProblems('jira', { siteUrl: 'https://acme.atlassian.net', email: 'a@b.co' })).toEqual({});
  });

  it('a Snowflake key and its passphrase: one plain message each', () => {
    expect(credentialProblem('snowflake', 'nope')).toMatch(/^Paste the whole private key/);
    const encrypted = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nabc\n-----END ENCRYPTED PRIVATE KEY-----';
    expect(credentialFieldProblems('snowflake', encrypted, {})).toEqual({ 'credentialFields.passphrase': 'This private key is encrypted: enter its passphrase.' });
    const plain = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----';
    expect(credentialFieldProblems('snowflake', plain, { passphrase: 'x' })).toEqual({ 'credentialFields.passphrase': 'This private key is not encrypted: leave the passphrase empty.' });
  });

  it("the core's field messages lose their API names", () => {
    expect(plainCoreMessage('settings.siteUrl (Site URL) is required for Jira')).toBe('Site URL is required');
    expect(plainCoreMessage('settings.email: Account email must be an email address')).toBe('Account email must be an email address');
    expect(plainCoreMessage('credential (API token) must be one line')).toBe('API token must be one line');
    expect(plainCoreMessage('the private key is encrypted: enter its passphrase (credentialFields.passphrase)')).toBe('The private key is encrypted: enter its passphrase');
  });

  it('base URL hints: only GitHub names an enterprise host', () => {
    for (const p of PROVIDERS) {
      const help = baseUrlField(p).help ?? '';
      expect(help.includes('GitHub Enterprise'), p).toBe(p === 'github');
      expect(help).toMatch(/Empty uses /);
    }
  });
});
