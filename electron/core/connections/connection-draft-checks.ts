import {
  KEY_PASSPHRASE_FIELD,
  PROVIDER_CATALOG,
  credentialFieldIssues,
  credentialIssue,
  isEncryptedPem,
  keyPassphraseIssue,
  type AuthType,
  type Provider,
} from '@shared/domain/connection';
import { invalid } from '../errors';
import { privateKeyIssue } from './provider-auth';
import type { StoredCredentialField } from './connection-store';

/**
 * The checks a connection draft's credential part goes through before anything is sealed or stored, shared by
 * create, update and "test before saving". Pure: no storage, no vault. Each throws INVALID_INPUT naming the field.
 */

/** What an update does to one credential field: set it (sealed value or vault secret), or remove it (null). */
export type FieldChange = { value: string } | { secretId: string } | null;

export function firstIssue(issues: Array<{ field: string; message: string }>): void {
  const i = issues[0];
  if (i) throw invalid(i.message, i.field);
}

export function checkAuthType(provider: Provider, authType: AuthType): void {
  const entry = PROVIDER_CATALOG[provider];
  if (entry.authType !== authType) throw invalid(`authType for ${entry.label} must be ${entry.authType}`, 'authType');
}

/** Checks a draft's credential part; returns the credential to seal, if any. */
export function checkCredential(provider: Provider, credential: string | undefined, secretId: string | null | undefined): string | undefined {
  const entry = PROVIDER_CATALOG[provider];
  if (entry.authType === 'oauth2') {
    if (credential !== undefined) throw invalid(`${entry.label} uses OAuth 2.0: do not send a credential, authorize the connection instead`, 'credential');
    if (secretId) throw invalid(`${entry.label} uses OAuth 2.0: its tokens are stored by the consent flow`, 'credentialSecretId');
    return undefined;
  }
  if (credential !== undefined && secretId) throw invalid('send either credential or credentialSecretId, not both', 'credential');
  if (credential !== undefined) {
    const issue = credentialIssue(provider, credential);
    if (issue) throw invalid(issue.message, issue.field);
    return credential.trim();
  }
  return undefined;
}

/**
 * Checks the credential fields of a draft and says what to do with each. `current` holds the fields already stored
 * (none when creating). A blank or null value removes a field; a field is either a value or a vault secret.
 */
export function planFields(
  provider: Provider,
  literal: Readonly<Record<string, string | null>>,
  refs: Readonly<Record<string, string | null>>,
  current: readonly StoredCredentialField[],
): Map<string, FieldChange> {
  const entry = PROVIDER_CATALOG[provider];
  firstIssue(credentialFieldIssues(provider, literal));
  const known = (entry.credentialFields ?? []).map((f) => f.key);
  for (const key of Object.keys(refs)) {
    if (!known.includes(key)) {
      throw invalid(
        `credentialFieldSecretIds.${key} is not a credential field of ${entry.label}; ${known.length ? `expected one of: ${known.join(', ')}` : `${entry.label} has none`}`,
        `credentialFieldSecretIds.${key}`,
      );
    }
  }
  const changes = new Map<string, FieldChange>();
  for (const [key, v] of Object.entries(literal)) {
    // Keys are trimmed like the credential; a passphrase is kept exactly as typed (its spaces may be part of it).
    if (v !== null && v.trim() !== '') changes.set(key, { value: key === KEY_PASSPHRASE_FIELD ? v : v.trim() });
    else if (current.some((f) => f.key === key)) changes.set(key, null);
  }
  for (const [key, id] of Object.entries(refs)) {
    const both = changes.get(key);
    if (id !== null && both && 'value' in both) throw invalid(`send either credentialFields.${key} or credentialFieldSecretIds.${key}, not both`, `credentialFields.${key}`);
    if (id !== null) changes.set(key, { secretId: id });
    else if (!changes.has(key) && current.some((f) => f.key === key)) changes.set(key, null);
  }
  return changes;
}

/**
 * A PEM private key and its passphrase must open together before anything is stored (nothing is written otherwise).
 * `key` / `passphrase` are the values the connection would have after the change; `undefined` means "kept in a
 * vault secret", which is only read at use time (as for any secret-backed credential), so it cannot be checked here.
 */
export function checkKeyPair(provider: Provider, key: string | undefined, passphrase: string | null | undefined): void {
  if (PROVIDER_CATALOG[provider].credential?.format !== 'pem' || key === undefined) return;
  // A secret-backed passphrase is there but unknown: only its presence can be checked now.
  const shape = keyPassphraseIssue(provider, key, passphrase === undefined ? 'kept in a vault secret' : (passphrase ?? undefined));
  if (shape) throw invalid(shape.message, shape.field);
  if (passphrase === undefined && isEncryptedPem(key)) return;
  const issue = privateKeyIssue(key, passphrase ?? undefined);
  if (issue) throw invalid(issue.message, issue.field);
}

/** The passphrase a change leaves in place, in checkKeyPair's terms. */
export function passphraseAfter(change: FieldChange | undefined, current: () => string | null | undefined): string | null | undefined {
  if (change === undefined) return current();
  if (change === null) return null;
  return 'value' in change ? change.value : undefined;
}
