import { describe, expect, it } from 'vitest';
import { encodedForms } from '../../../shared/domain/secret-forms';

/** The shared list is written with web APIs (btoa, TextEncoder): it must give exactly what Node's Buffer gives. */
describe('encoded forms of a secret value', () => {
  it.each(['s3cr3t-value', 'a', 'ab', 'with space & plus+/slash?=', 'ünïcødé ✓ 🔑', '\u0000\u00ff', 'x'.repeat(5000)])('%j', (v) => {
    const raw = Buffer.from(v, 'utf8');
    const b64 = raw.toString('base64');
    expect(encodedForms(v)).toEqual([v, b64, b64.replace(/=+$/, ''), raw.toString('base64url'), encodeURIComponent(v), encodeURIComponent(v).replace(/%20/g, '+')]);
  });
});
