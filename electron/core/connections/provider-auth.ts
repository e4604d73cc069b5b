import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { KEY_PASSPHRASE_FIELD, isEncryptedPem, type FieldIssue, type Provider } from '@shared/domain/connection';
import { missingCase } from '../errors';

/**
 * How each provider expects its credential on a request (providers.md): ONE function, used by the live test
 * (http-connection-tester.ts) and by the workflow http step, so what a test proves is what a run sends.
 *
 * What must stay true: the header names here are lower-case and are the only ones that carry a credential
 * (CREDENTIAL_HEADERS lists them all, so a caller can refuse a user header that would replace one); `injected` lists
 * every secret value that went into the headers (the credential, credential fields, and each derived form such as
 * a Basic base64 or a Snowflake JWT), so a run can scrub them from whatever the provider answers.
 */

export type AuthHeaders = { headers: Record<string, string>; injected: string[] };

/** Every header name any provider's credential travels in (lower-case). */
export const CREDENTIAL_HEADERS: readonly string[] = ['authorization', 'dd-api-key', 'dd-application-key', 'x-snowflake-authorization-token-type'];

export class ProbeSetupError extends Error {}

const passphraseField = `credentialFields.${KEY_PASSPHRASE_FIELD}`;

/**
 * Reads a PKCS#8 PEM RSA private key, decrypting an encrypted one (BEGIN ENCRYPTED PRIVATE KEY) with its passphrase.
 * Problems name the field to fix (the key, or its passphrase) and never contain either. An encrypted key is never
 * handed to OpenSSL without a passphrase (nothing may ever wait on a prompt).
 */
export function readRsaPrivateKey(pem: string, passphrase: string | undefined): { key: KeyObject } | { issue: FieldIssue } {
  let key: KeyObject;
  if (isEncryptedPem(pem)) {
    if (!passphrase) return { issue: { field: passphraseField, message: `the private key is encrypted: enter its passphrase (${passphraseField})` } };
    try {
      key = createPrivateKey({ key: pem, format: 'pem', passphrase });
    } catch {
      // A wrong passphrase and a damaged key look the same to OpenSSL; the passphrase is by far the likelier cause.
      return { issue: { field: passphraseField, message: `the passphrase does not decrypt the private key: check ${passphraseField} (and that the key is complete)` } };
    }
  } else {
    try {
      key = createPrivateKey({ key: pem, format: 'pem' });
    } catch {
      return { issue: { field: 'credential', message: 'credential is not a readable private key: paste the PKCS#8 PEM (-----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----) of the key whose public half is set on the user' } };
    }
  }
  if (key.asymmetricKeyType !== 'rsa') return { issue: { field: 'credential', message: 'Snowflake key-pair authentication needs an RSA private key' } };
  return { key };
}

/** Why a PEM credential (with its passphrase, if any) cannot be used, or null: create/update check this before storing. */
export function privateKeyIssue(pem: string, passphrase: string | undefined): FieldIssue | null {
  const r = readRsaPrivateKey(pem, passphrase);
  return 'issue' in r ? r.issue : null;
}

/** The Snowflake key-pair JWT (RS256): iss ACCOUNT.USER.SHA256:<base64 SHA-256 of the public key DER>, sub ACCOUNT.USER. */
export async function snowflakeJwt(account: string, user: string, privateKey: string | KeyObject, now = new Date()): Promise<string> {
  let key: KeyObject;
  if (typeof privateKey === 'string') {
    const read = readRsaPrivateKey(privateKey, undefined);
    if ('issue' in read) throw new ProbeSetupError(read.issue.message);
    key = read.key;
  } else key = privateKey;
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const fingerprint = `SHA256:${createHash('sha256').update(der).digest('base64')}`;
  // Snowflake wants the account part without region/cloud suffixes, upper-cased, and the user upper-cased.
  const acct = account.split('.')[0]!.toUpperCase();
  const usr = user.toUpperCase();
  const iat = Math.floor(now.getTime() / 1000);
  try {
    return await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(`${acct}.${usr}.${fingerprint}`)
      .setSubject(`${acct}.${usr}`)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 59 * 60)
      .sign(key);
  } catch {
    // jose refuses RSA keys under 2048 bits, as Snowflake does.
    throw new ProbeSetupError('the private key cannot sign an RS256 JWT: use an RSA key of at least 2048 bits');
  }
}

/** Basic `user:secret`; both the header value and its base64 part are injected values. */
function basic(user: string, secret: string, injected: string[]): string {
  const b64 = Buffer.from(`${user}:${secret}`).toString('base64');
  injected.push(b64);
  return `Basic ${b64}`;
}

/**
 * The credential headers of one request to `provider`: Bearer for the OAuth providers and Okta; Basic for Jira
 * (email:token), ServiceNow (username:password) and Zendesk (email/token:token); `token <key>` for Snyk;
 * `Token token=<key>` for PagerDuty; DD-API-KEY (+ DD-APPLICATION-KEY when set) for Datadog; a key-pair JWT with
 * X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT for Snowflake. Throws ProbeSetupError (a message naming the
 * field, never a value) when the Snowflake key cannot be read or cannot sign.
 */
export async function authHeaders(
  provider: Provider,
  s: Readonly<Record<string, string>>,
  credential: string,
  fields: Readonly<Record<string, string>> = {},
  now: Date = new Date(),
): Promise<AuthHeaders> {
  const injected: string[] = [credential, ...Object.values(fields)];
  const done = (headers: Record<string, string>): AuthHeaders => {
    for (const v of Object.values(headers)) if (v !== 'KEYPAIR_JWT') injected.push(v);
    return { headers, injected: [...new Set(injected.filter((v) => v.length > 0))] };
  };
  switch (provider) {
    case 'slack':
    case 'github':
    case 'linkedin':
    case 'x':
    case 'okta':
      return done({ authorization: `Bearer ${credential}` });
    case 'jira':
      return done({ authorization: basic(s.email ?? '', credential, injected) });
    case 'servicenow':
      return done({ authorization: basic(s.username ?? '', credential, injected) });
    case 'zendesk':
      return done({ authorization: basic(`${s.email ?? ''}/token`, credential, injected) });
    case 'snyk':
      return done({ authorization: `token ${credential}` });
    case 'pagerduty':
      return done({ authorization: `Token token=${credential}` });
    case 'datadog':
      return done({ 'dd-api-key': credential, ...(fields.applicationKey ? { 'dd-application-key': fields.applicationKey } : {}) });
    case 'snowflake': {
      const read = readRsaPrivateKey(credential, fields[KEY_PASSPHRASE_FIELD]);
      if ('issue' in read) throw new ProbeSetupError(read.issue.message);
      const jwt = await snowflakeJwt(s.account ?? '', s.user ?? '', read.key, now);
      injected.push(jwt);
      return done({ authorization: `Bearer ${jwt}`, 'x-snowflake-authorization-token-type': 'KEYPAIR_JWT' });
    }
    default:
      return missingCase(provider);
  }
}

/** The non-secret headers a provider's API wants on every request (its media type; GitHub refuses a request without a User-Agent). */
export function apiDefaultHeaders(provider: Provider): Record<string, string> {
  switch (provider) {
    case 'github':
      return { accept: 'application/vnd.github+json', 'user-agent': 'ProvenanceOne-Desktop' };
    case 'snyk':
      return { accept: 'application/vnd.api+json', 'user-agent': 'ProvenanceOne-Desktop' };
    case 'pagerduty':
      return { accept: 'application/vnd.pagerduty+json;version=2', 'user-agent': 'ProvenanceOne-Desktop' };
    default:
      return { accept: 'application/json', 'user-agent': 'ProvenanceOne-Desktop' };
  }
}
