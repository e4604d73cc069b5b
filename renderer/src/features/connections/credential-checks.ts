import {
  KEY_PASSPHRASE_FIELD,
  credentialFieldIssues,
  keyPassphraseIssue,
  normalizeSettings,
  settingsIssues,
  type Provider,
} from '@shared/domain/connection.catalog';

/**
 * The checks the core makes on a connection form, run before anything is sent (shape only: the core also decrypts a
 * key with its passphrase and calls the provider). Problems are keyed as the forms key their inputs: a setting by its
 * key (`site`), a credential field as `credentialFields.<key>`.
 */

/** The key a form shows an issue under: the core names settings `settings.<key>`, the forms just `<key>`. */
export const issueKey = (field: string): string => field.replace(/^settings\./, '');

/** The non-blank values of a form (blank means "not entered"). */
export const enteredFields = (values: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));

/** The settings' problems (required, URL, enum...). */
export function settingsProblems(provider: Provider, settings: Readonly<Record<string, string>>): Record<string, string> {
  const found: Record<string, string> = {};
  for (const i of settingsIssues(provider, normalizeSettings(provider, settings))) found[issueKey(i.field)] ??= i.message;
  return found;
}

/** The credential fields' problems. `passphraseStored` says whether the connection already has a key passphrase. */
export function credentialFieldProblems(provider: Provider, credential: string, values: Readonly<Record<string, string>>, passphraseStored = false): Record<string, string> {
  const found: Record<string, string> = {};
  for (const i of credentialFieldIssues(provider, values)) found[i.field] ??= i.message;
  if (credential.trim() !== '') {
    const typed = values[KEY_PASSPHRASE_FIELD]?.trim() ?? '';
    const pass = keyPassphraseIssue(provider, credential, typed !== '' ? typed : passphraseStored ? 'stored' : undefined);
    // A stored passphrase is dropped by the core when the new key is not encrypted: only a typed one is a mistake.
    if (pass && !(typed === '' && passphraseStored)) found[pass.field] ??= pass.message;
  }
  return found;
}
