// One file (~420 lines): the 12 providers are one table the wizard and the core read alike; splitting it per provider
// would scatter the one shape every entry must keep (fields, auth types, OAuth endpoints, validation endpoint).
/**
 * The connection catalog as plain data and plain checks, with no zod: the 12 integrations of the docs, their fields
 * and the draft checks the wizard runs as you type. connection.ts builds the schemas on top of it and re-exports it,
 * so the core's validation and the renderer's wizard cannot disagree; the renderer imports this file (not
 * connection.ts) for values, which keeps zod out of its bundle.
 */

export const PROVIDERS = [
  'slack',
  'github',
  'linkedin',
  'x',
  'okta',
  'jira',
  'servicenow',
  'snyk',
  'pagerduty',
  'datadog',
  'zendesk',
  'snowflake',
] as const;
export type Provider = (typeof PROVIDERS)[number];

export const AUTH_TYPES = ['oauth2', 'apikey', 'serviceaccount'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

export const CONNECTION_STATUSES = ['active', 'paused', 'error'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** How a field's value is checked (same rules in the wizard and in the core). */
export type FieldFormat = 'text' | 'email' | 'url' | 'subdomain' | 'enum' | 'scopes' | 'pem' | 'secret';

export type ProviderField = {
  key: string;
  label: string;
  required: boolean;
  format: FieldFormat;
  placeholder?: string;
  help?: string;
  options?: readonly string[];
  defaultValue?: string;
};

export type ProviderCatalogEntry = {
  id: Provider;
  label: string;
  authType: AuthType;
  /** What the docs' table calls the auth type. */
  authLabel: string;
  /** Letter badge and colour for the icon (drawn locally: the app never loads remote images). */
  icon: { letter: string; color: string };
  docs: { title: string; url: string };
  /** Non-secret settings the admin enters. `baseUrl` (an override of the API base URL) is accepted for every provider. */
  settings: readonly ProviderField[];
  /** The write-only credential (apikey / serviceaccount). OAuth providers get theirs from the consent flow. */
  credential?: { label: string; format: 'secret' | 'pem'; help?: string };
  /**
   * Further write-only parts of the credential, each optional (Datadog's application key, the passphrase of an
   * encrypted Snowflake key). Stored and shown like the credential: sealed or a vault secret, never returned.
   */
  credentialFields?: readonly ProviderField[];
  /** What the live test calls (providers.md), shown to the admin. */
  testEndpoint: string;
  /**
   * OAuth 2.0 (authorization code + PKCE): the one place each provider's endpoints are written (providers.md); the
   * consent flow and the token refreshes resolve theirs from here (electron/core/oauth/oauth-providers.ts).
   * `issuer` is the default authorization server. An OAuth app's `settings.baseUrl` replaces it: every endpoint keeps
   * its path, below the new base (also X's token and revoke endpoints, which live on api.x.com by default).
   * `{org}` is the connection's org URL (Okta).
   */
  oauth?: { issuer: string; authorizeUrl: string; tokenUrl: string; revokeUrl?: string; defaultScopes: string; pkce: boolean };
};

const scopes = (defaultValue: string): ProviderField => ({
  key: 'scopes',
  label: 'Scopes',
  required: false,
  format: 'scopes',
  placeholder: defaultValue,
  defaultValue,
  help: 'Space-separated; granted at authorization time.',
});
const clientId: ProviderField = { key: 'clientId', label: 'OAuth client ID', required: false, format: 'text', help: 'Client ID of your OAuth app at the provider.' };

export const DATADOG_SITES = ['datadoghq.com', 'us3.datadoghq.com', 'us5.datadoghq.com', 'datadoghq.eu', 'ap1.datadoghq.com', 'ddog-gov.com'] as const;
export const SNYK_REGIONS = ['api.snyk.io', 'api.eu.snyk.io', 'api.au.snyk.io'] as const;

export const PROVIDER_CATALOG: Readonly<Record<Provider, ProviderCatalogEntry>> = {
  slack: {
    id: 'slack',
    label: 'Slack',
    authType: 'oauth2',
    authLabel: 'OAuth 2.0',
    icon: { letter: 'S', color: '#4a154b' },
    docs: { title: 'Create a Slack app and configure OAuth', url: 'https://api.slack.com/authentication/oauth-v2' },
    settings: [clientId, scopes('chat:write channels:read')],
    testEndpoint: 'POST /api/auth.test',
    oauth: {
      issuer: 'https://slack.com',
      authorizeUrl: 'https://slack.com/oauth/v2/authorize',
      tokenUrl: 'https://slack.com/api/oauth.v2.access',
      revokeUrl: 'https://slack.com/api/auth.revoke',
      defaultScopes: 'chat:write channels:read',
      pkce: true,
    },
  },
  github: {
    id: 'github',
    label: 'GitHub',
    authType: 'oauth2',
    authLabel: 'OAuth 2.0',
    icon: { letter: 'G', color: '#24292f' },
    docs: { title: 'Register a GitHub OAuth App', url: 'https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/creating-an-oauth-app' },
    settings: [clientId, scopes('repo read:user')],
    testEndpoint: 'GET /user',
    oauth: {
      issuer: 'https://github.com',
      authorizeUrl: 'https://github.com/login/oauth/authorize',
      tokenUrl: 'https://github.com/login/oauth/access_token',
      defaultScopes: 'repo read:user',
      pkce: true,
    },
  },
  linkedin: {
    id: 'linkedin',
    label: 'LinkedIn',
    authType: 'oauth2',
    authLabel: 'OAuth 2.0',
    icon: { letter: 'in', color: '#0a66c2' },
    docs: { title: 'LinkedIn OAuth 2.0 authorization code flow', url: 'https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow' },
    settings: [clientId, scopes('openid profile email')],
    testEndpoint: 'GET /v2/userinfo',
    oauth: {
      issuer: 'https://www.linkedin.com',
      authorizeUrl: 'https://www.linkedin.com/oauth/v2/authorization',
      tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
      defaultScopes: 'openid profile email',
      pkce: false,
    },
  },
  x: {
    id: 'x',
    label: 'X / Twitter',
    authType: 'oauth2',
    authLabel: 'OAuth 2.0',
    icon: { letter: 'X', color: '#000000' },
    docs: { title: 'X OAuth 2.0 setup', url: 'https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/authorization-code' },
    settings: [clientId, scopes('tweet.read users.read offline.access')],
    testEndpoint: 'GET /2/users/me',
    oauth: {
      issuer: 'https://x.com',
      authorizeUrl: 'https://x.com/i/oauth2/authorize',
      tokenUrl: 'https://api.x.com/2/oauth2/token',
      revokeUrl: 'https://api.x.com/2/oauth2/revoke',
      defaultScopes: 'tweet.read users.read offline.access',
      pkce: true,
    },
  },
  okta: {
    id: 'okta',
    label: 'Okta',
    authType: 'oauth2',
    authLabel: 'SAML / OAuth 2.0',
    icon: { letter: 'O', color: '#007dc1' },
    docs: { title: 'Okta OAuth 2.0 and OIDC concepts', url: 'https://developer.okta.com/docs/concepts/oauth-openid/' },
    settings: [
      { key: 'orgUrl', label: 'Org URL', required: true, format: 'url', placeholder: 'https://your-org.okta.com' },
      clientId,
      scopes('openid profile email offline_access'),
    ],
    testEndpoint: 'GET /oauth2/v1/userinfo',
    oauth: {
      issuer: '{org}/oauth2/default',
      authorizeUrl: '{org}/oauth2/default/v1/authorize',
      tokenUrl: '{org}/oauth2/default/v1/token',
      revokeUrl: '{org}/oauth2/default/v1/revoke',
      defaultScopes: 'openid profile email offline_access',
      pkce: true,
    },
  },
  jira: {
    id: 'jira',
    label: 'Jira',
    authType: 'apikey',
    authLabel: 'API Key',
    icon: { letter: 'J', color: '#0052cc' },
    docs: { title: 'Create and manage Atlassian API tokens', url: 'https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/' },
    settings: [
      { key: 'siteUrl', label: 'Site URL', required: true, format: 'url', placeholder: 'https://your-site.atlassian.net' },
      { key: 'email', label: 'Account email', required: true, format: 'email', placeholder: 'you@example.com' },
    ],
    credential: { label: 'API token', format: 'secret' },
    testEndpoint: 'GET /rest/api/3/myself',
  },
  servicenow: {
    id: 'servicenow',
    label: 'ServiceNow',
    authType: 'serviceaccount',
    authLabel: 'Service Account',
    icon: { letter: 'SN', color: '#62d84e' },
    docs: { title: 'ServiceNow REST API authentication', url: 'https://www.servicenow.com/docs/bundle/xanadu-api-reference/page/integrate/inbound-rest/concept/c_RESTAPI.html' },
    settings: [
      { key: 'instanceUrl', label: 'Instance URL', required: true, format: 'url', placeholder: 'https://your-instance.service-now.com' },
      { key: 'username', label: 'Username', required: true, format: 'text' },
    ],
    credential: { label: 'Password', format: 'secret' },
    testEndpoint: 'GET /api/now/table/sys_user?sysparm_limit=1',
  },
  snyk: {
    id: 'snyk',
    label: 'Snyk',
    authType: 'apikey',
    authLabel: 'API Key',
    icon: { letter: 'Sk', color: '#4c4a73' },
    docs: { title: 'Snyk API authentication', url: 'https://docs.snyk.io/snyk-api/authentication-for-api' },
    settings: [{ key: 'region', label: 'API region', required: false, format: 'enum', options: SNYK_REGIONS, defaultValue: 'api.snyk.io' }],
    credential: { label: 'API token', format: 'secret' },
    testEndpoint: 'GET /rest/self?version=2024-10-15',
  },
  pagerduty: {
    id: 'pagerduty',
    label: 'PagerDuty',
    authType: 'apikey',
    authLabel: 'API Key',
    icon: { letter: 'PD', color: '#06ac38' },
    docs: { title: 'Create a PagerDuty API access key', url: 'https://support.pagerduty.com/main/docs/api-access-keys' },
    settings: [],
    credential: { label: 'REST API key', format: 'secret' },
    testEndpoint: 'GET /abilities',
  },
  datadog: {
    id: 'datadog',
    label: 'Datadog',
    authType: 'apikey',
    authLabel: 'API Key',
    icon: { letter: 'DD', color: '#632ca6' },
    docs: { title: 'Datadog API and application keys', url: 'https://docs.datadoghq.com/account_management/api-app-keys/' },
    settings: [{ key: 'site', label: 'Site', required: true, format: 'enum', options: DATADOG_SITES, defaultValue: 'datadoghq.com' }],
    credential: { label: 'API key', format: 'secret' },
    credentialFields: [
      {
        key: 'applicationKey',
        label: 'Application key',
        required: false,
        format: 'secret',
        help: 'Optional; API calls that read data need one. When set, the test also checks it (GET /api/v2/validate_keys).',
      },
    ],
    testEndpoint: 'GET /api/v1/validate (and GET /api/v2/validate_keys when an application key is set)',
  },
  zendesk: {
    id: 'zendesk',
    label: 'Zendesk',
    authType: 'apikey',
    authLabel: 'API Key',
    icon: { letter: 'Z', color: '#03363d' },
    docs: { title: 'Generate a Zendesk API token', url: 'https://support.zendesk.com/hc/en-us/articles/4408889192858-Managing-access-to-the-Zendesk-API' },
    settings: [
      { key: 'subdomain', label: 'Subdomain', required: true, format: 'subdomain', placeholder: 'your-company', help: 'The part before .zendesk.com' },
      { key: 'email', label: 'Agent email', required: true, format: 'email' },
    ],
    credential: { label: 'API token', format: 'secret' },
    testEndpoint: 'GET /api/v2/users/me.json',
  },
  snowflake: {
    id: 'snowflake',
    label: 'Snowflake',
    authType: 'serviceaccount',
    authLabel: 'Service Account',
    icon: { letter: 'SF', color: '#29b5e8' },
    docs: { title: 'Snowflake user management', url: 'https://docs.snowflake.com/en/user-guide/key-pair-auth' },
    settings: [
      { key: 'account', label: 'Account identifier', required: true, format: 'subdomain', placeholder: 'myorg-myaccount' },
      { key: 'user', label: 'User', required: true, format: 'text' },
      { key: 'role', label: 'Role', required: false, format: 'text' },
      { key: 'warehouse', label: 'Warehouse', required: false, format: 'text' },
    ],
    credential: {
      label: 'RSA private key (PKCS#8 PEM, optionally encrypted)',
      format: 'pem',
      help: 'The public key must be set on the Snowflake user (RSA_PUBLIC_KEY). For an encrypted key (BEGIN ENCRYPTED PRIVATE KEY), enter its passphrase too.',
    },
    credentialFields: [{ key: 'passphrase', label: 'Private key passphrase', required: false, format: 'secret', help: 'Only for an encrypted private key.' }],
    testEndpoint: 'POST /api/v2/statements (SELECT 1, key-pair JWT)',
  },
};

export const BASE_URL_FIELD: ProviderField = {
  key: 'baseUrl',
  label: 'API base URL override',
  required: false,
  format: 'url',
  help: "Only to go through a proxy or a test server; leave empty for the provider's API.",
};

/**
 * Where a connection's requests go when no override is set, said to the admin (the core's defaultBaseUrl computes
 * it; connections.md has no self-hosted variant except GitHub Enterprise, so only GitHub's hint names one).
 */
const API_DEFAULT: Readonly<Record<Provider, string>> = {
  slack: 'https://slack.com',
  github: 'https://api.github.com',
  linkedin: 'https://api.linkedin.com',
  x: 'https://api.x.com',
  okta: 'the org URL above',
  jira: 'the site URL above',
  servicenow: 'the instance URL above',
  snyk: 'the API region above',
  pagerduty: 'https://api.pagerduty.com',
  datadog: 'the API host of the site above (e.g. https://api.datadoghq.com)',
  zendesk: 'https://<subdomain>.zendesk.com',
  snowflake: 'https://<account>.snowflakecomputing.com',
};

/** The base URL override field of one provider, its hint saying what an empty one uses. */
export function baseUrlField(provider: Provider): ProviderField {
  const hint =
    provider === 'github'
      ? `For GitHub Enterprise Server, e.g. https://github.example.com/api/v3. Empty uses ${API_DEFAULT.github}.`
      : `Only to go through a proxy or a test server. Empty uses ${API_DEFAULT[provider]}.`;
  return { ...BASE_URL_FIELD, help: hint };
}

export const MAX_CREDENTIAL_LENGTH = 16_384;
export const SETTING_MAX = 2048;

const isLoopback = (host: string) => host === 'localhost' || host === '127.0.0.1' || host === '[::1]';

/** One problem with a connection draft, naming the field it is about. */
export type FieldIssue = { field: string; message: string };

function checkFormat(field: ProviderField, value: string): string | null {
  switch (field.format) {
    case 'email':
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) ? null : `${field.label} must be an email address`;
    case 'url': {
      let u: URL;
      try {
        u = new URL(value);
      } catch {
        return `${field.label} must be a URL such as https://example.com`;
      }
      if (u.username || u.password) return `${field.label} must not contain a user name or password`;
      // A credential sent over plain http could be read on the network; only this machine is exempt (tests, tunnels).
      if (u.protocol === 'https:') return null;
      if (u.protocol === 'http:' && isLoopback(u.hostname)) return null;
      return `${field.label} must use https:// (http:// is allowed only for localhost)`;
    }
    case 'subdomain':
      return /^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,100}[a-zA-Z0-9])?$/.test(value) ? null : `${field.label} may contain only letters, digits, '-', '_' and '.'`;
    case 'enum':
      return field.options?.includes(value) ? null : `${field.label} must be one of: ${field.options?.join(', ')}`;
    case 'scopes':
      return /^[\w:./-]+( [\w:./-]+)*$/.test(value) ? null : `${field.label} must be space-separated scope names`;
    case 'text':
    case 'pem':
    case 'secret':
      return /^[^\p{Cc}]*$/u.test(value) ? null : `${field.label} must not contain control characters`;
  }
}

/** Problems with the non-secret settings of a provider (fields are named `settings.<key>`). */
export function settingsIssues(provider: Provider, settings: Readonly<Record<string, string>>): FieldIssue[] {
  const entry = PROVIDER_CATALOG[provider];
  const fields = [...entry.settings, BASE_URL_FIELD];
  const issues: FieldIssue[] = [];
  for (const key of Object.keys(settings)) {
    if (!fields.some((f) => f.key === key)) {
      issues.push({ field: `settings.${key}`, message: `settings.${key} is not a setting of ${entry.label}; expected one of: ${fields.map((f) => f.key).join(', ')}` });
    }
  }
  for (const f of fields) {
    const v = settings[f.key];
    if (v === undefined || v.trim() === '') {
      if (f.required) issues.push({ field: `settings.${f.key}`, message: `settings.${f.key} (${f.label}) is required for ${entry.label}` });
      continue;
    }
    if (v.length > SETTING_MAX) issues.push({ field: `settings.${f.key}`, message: `settings.${f.key} must be at most ${SETTING_MAX} characters` });
    const problem = checkFormat(f, v.trim());
    if (problem) issues.push({ field: `settings.${f.key}`, message: `settings.${f.key}: ${problem}` });
  }
  return issues;
}

/** Checks a PEM private key's shape only; the core parses (and decrypts) it for real. */
export function credentialIssue(provider: Provider, credential: string): FieldIssue | null {
  const spec = PROVIDER_CATALOG[provider].credential;
  if (!spec) return { field: 'credential', message: `${PROVIDER_CATALOG[provider].label} uses OAuth 2.0: authorize it instead of entering a credential` };
  if (credential.trim() === '') return { field: 'credential', message: `credential (${spec.label}) is required` };
  if (credential.length > MAX_CREDENTIAL_LENGTH) return { field: 'credential', message: `credential must be at most ${MAX_CREDENTIAL_LENGTH} characters` };
  if (spec.format === 'pem') {
    if (!/-----BEGIN (ENCRYPTED )?PRIVATE KEY-----[\s\S]+-----END \1PRIVATE KEY-----/.test(credential)) {
      return { field: 'credential', message: 'credential must be an RSA private key in PKCS#8 PEM (-----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----)' };
    }
  } else if (/[\r\n\t]/.test(credential.trim())) {
    return { field: 'credential', message: `credential (${spec.label}) must be one line` };
  }
  return null;
}

/** The credential field that holds the passphrase of an encrypted PEM private key. */
export const KEY_PASSPHRASE_FIELD = 'passphrase';

/** Whether a PEM private key is encrypted (PKCS#8 EncryptedPrivateKeyInfo): it then needs its passphrase. */
export const isEncryptedPem = (pem: string): boolean => /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem);

/**
 * Problems with the write-only credential fields of a draft (named `credentialFields.<key>`). A null or blank value
 * means "remove it" (update only); the checks are the credential's own: bounded, one line, no control characters.
 */
export function credentialFieldIssues(provider: Provider, fields: Readonly<Record<string, string | null>>): FieldIssue[] {
  const entry = PROVIDER_CATALOG[provider];
  const known = entry.credentialFields ?? [];
  const issues: FieldIssue[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const name = `credentialFields.${key}`;
    const f = known.find((x) => x.key === key);
    if (!f) {
      const expected = known.length > 0 ? `expected one of: ${known.map((x) => x.key).join(', ')}` : `${entry.label} has none`;
      issues.push({ field: name, message: `${name} is not a credential field of ${entry.label}; ${expected}` });
      continue;
    }
    if (value === null || value.trim() === '') continue;
    if (value.length > MAX_CREDENTIAL_LENGTH) issues.push({ field: name, message: `${name} must be at most ${MAX_CREDENTIAL_LENGTH} characters` });
    else if (/[\r\n\t]/.test(value.trim())) issues.push({ field: name, message: `${name} (${f.label}) must be one line` });
    else if (!/^[^\p{Cc}]*$/u.test(value)) issues.push({ field: name, message: `${name} (${f.label}) must not contain control characters` });
  }
  return issues;
}

/**
 * The passphrase rule of a PEM credential, by shape only (the core then decrypts for real): an encrypted key needs
 * one, an unencrypted key takes none. `passphrase` is what the key would be opened with (sent or already stored).
 */
export function keyPassphraseIssue(provider: Provider, pem: string, passphrase: string | undefined): FieldIssue | null {
  if (PROVIDER_CATALOG[provider].credential?.format !== 'pem') return null;
  const field = `credentialFields.${KEY_PASSPHRASE_FIELD}`;
  const given = passphrase !== undefined && passphrase !== '';
  if (isEncryptedPem(pem) && !given) return { field, message: `the private key is encrypted: enter its passphrase (${field})` };
  if (!isEncryptedPem(pem) && given) return { field, message: `the private key is not encrypted: leave the passphrase (${field}) empty` };
  return null;
}

/** Settings with catalog defaults filled in and blanks dropped: what is stored. */
export function normalizeSettings(provider: Provider, settings: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of PROVIDER_CATALOG[provider].settings) if (f.defaultValue !== undefined) out[f.key] = f.defaultValue;
  for (const [k, v] of Object.entries(settings)) if (v.trim() !== '') out[k] = v.trim();
  return out;
}
