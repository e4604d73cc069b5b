import {
  BASE_URL_FIELD,
  KEY_PASSPHRASE_FIELD,
  MAX_CREDENTIAL_LENGTH,
  PROVIDER_CATALOG,
  SETTING_MAX,
  credentialFieldIssues,
  credentialIssue,
  isEncryptedPem,
  keyPassphraseIssue,
  normalizeSettings,
  settingsIssues,
  type Provider,
  type ProviderField,
} from '@shared/domain/connection.catalog';

/**
 * The checks the core makes on a connection form, run before anything is sent (shape only: the core also decrypts a
 * key with its passphrase and calls the provider). Problems are keyed as the forms key their inputs: a setting by its
 * key (`site`), a credential field as `credentialFields.<key>`.
 *
 * Whether something is wrong is the catalog's answer (the same code the core runs); how it is said is the form's:
 * the catalog's messages name API fields (`settings.siteUrl (Site URL) is required for Jira`) for REST callers, while
 * a form shows its problem next to the labelled input, so it says what to do in plain words ("Enter the site URL,
 * for example https://your-site.atlassian.net.").
 */

/** "Site URL" → "site URL", "API token" stays: a label inside a sentence. */
const inSentence = (label: string): string => (/^[A-Z][a-z]/.test(label) ? label[0]!.toLowerCase() + label.slice(1) : label);

const isLoopback = (host: string) => host === 'localhost' || host === '127.0.0.1' || host === '[::1]';

/** What to do about a field the catalog found a problem with, in plain words. */
export function plainFieldProblem(f: ProviderField, raw: string): string {
  const value = raw.trim();
  const example = f.placeholder && f.placeholder !== 'https://' ? `, for example ${f.placeholder}` : '';
  if (value === '') return `Enter the ${inSentence(f.label)}${example}.`;
  if (value.length > SETTING_MAX) return `Shorten it to at most ${SETTING_MAX} characters.`;
  switch (f.format) {
    case 'email':
      return `Enter an email address${f.placeholder ? `, for example ${f.placeholder}` : ', such as you@example.com'}.`;
    case 'url': {
      let u: URL;
      try {
        u = new URL(value);
      } catch {
        return `Enter a full address starting with https://${example || ', for example https://example.com'}.`;
      }
      if (u.username || u.password) return 'Leave the user name and password out of the address.';
      if (!(u.protocol === 'https:' || (u.protocol === 'http:' && isLoopback(u.hostname)))) return 'Use an https:// address (http:// works only for this machine).';
      break;
    }
    case 'subdomain':
      return `Use only letters, digits, '-', '_' and '.'${f.help ? ` (${f.help.replace(/^The /, 'the ')})` : ''}.`;
    case 'enum':
      return 'Choose one of the options in the list.';
    case 'scopes':
      return 'Separate the scope names with spaces.';
    default:
      break;
  }
  return 'Remove line breaks, tabs and other control characters.';
}

/** Every form's name field: a required plain text. */
export const NAME_FIELD: ProviderField = { key: 'name', label: 'Name', required: true, format: 'text' };
export const nameProblem = (name: string): string | null => (name.trim() === '' ? 'Enter a name for this connection.' : null);

/** The credential's problem, if any, in plain words (catalog `credentialIssue` decides whether there is one). */
export function credentialProblem(provider: Provider, credential: string): string | null {
  const issue = credentialIssue(provider, credential);
  const spec = PROVIDER_CATALOG[provider].credential;
  if (!issue || !spec) return issue?.message ?? null;
  if (credential.trim() === '') return spec.format === 'pem' ? 'Paste the private key (PEM text).' : `Enter the ${inSentence(spec.label)}.`;
  if (credential.length > MAX_CREDENTIAL_LENGTH) return `This is too long: at most ${MAX_CREDENTIAL_LENGTH} characters.`;
  if (spec.format === 'pem') return 'Paste the whole private key, from -----BEGIN PRIVATE KEY----- (or ENCRYPTED PRIVATE KEY) to its END line.';
  return `The ${inSentence(spec.label)} is one line: remove line breaks and tabs.`;
}

/**
 * A message from the core shown next to its field: the API names (`settings.siteUrl (Site URL)`,
 * `credential (API token)`, `(credentialFields.passphrase)`) become the label the form shows.
 */
export function plainCoreMessage(message: string): string {
  const m = message
    .replace(/\b(?:settings|credentialFields)\.\w+ \(([^)]+)\)/g, (_, label: string) => label)
    .replace(/^(?:settings|credentialFields)\.\w+: /, '')
    .replace(/\bcredential \(([^)]+)\)/g, (_, label: string) => label)
    .replace(/ \((?:settings|credentialFields)\.\w+\)/g, '')
    .replace(/ for [A-Z][\w /]+$/, '');
  return m.charAt(0).toUpperCase() + m.slice(1);
}

/** The key a form shows an issue under: the core names settings `settings.<key>`, the forms just `<key>`. */
export const issueKey = (field: string): string => field.replace(/^settings\./, '');

/** The non-blank values of a form (blank means "not entered"). */
export const enteredFields = (values: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));

/** The settings' problems (required, URL, enum...), in plain words. */
export function settingsProblems(provider: Provider, settings: Readonly<Record<string, string>>): Record<string, string> {
  const found: Record<string, string> = {};
  const fields = [...PROVIDER_CATALOG[provider].settings, BASE_URL_FIELD];
  const normalized = normalizeSettings(provider, settings);
  for (const i of settingsIssues(provider, normalized)) {
    const key = issueKey(i.field);
    const f = fields.find((x) => x.key === key);
    found[key] ??= f ? plainFieldProblem(f, normalized[key] ?? '') : plainCoreMessage(i.message);
  }
  return found;
}

/** The credential fields' problems. `passphraseStored` says whether the connection already has a key passphrase. */
export function credentialFieldProblems(provider: Provider, credential: string, values: Readonly<Record<string, string>>, passphraseStored = false): Record<string, string> {
  const found: Record<string, string> = {};
  for (const i of credentialFieldIssues(provider, values)) found[i.field] ??= plainCoreMessage(i.message);
  if (credential.trim() !== '') {
    const typed = values[KEY_PASSPHRASE_FIELD]?.trim() ?? '';
    const pass = keyPassphraseIssue(provider, credential, typed !== '' ? typed : passphraseStored ? 'stored' : undefined);
    // A stored passphrase is dropped by the core when the new key is not encrypted: only a typed one is a mistake.
    if (pass && !(typed === '' && passphraseStored)) {
      found[pass.field] ??= isEncryptedPem(credential) ? 'This private key is encrypted: enter its passphrase.' : 'This private key is not encrypted: leave the passphrase empty.';
    }
  }
  return found;
}
