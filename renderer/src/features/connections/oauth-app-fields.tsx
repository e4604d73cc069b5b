import type { ReactNode } from 'react';
import { PROVIDER_CATALOG, type ProviderField } from '@shared/domain/connection.catalog';
import type { OAuthProvider } from '@shared/domain/oauth.catalog';
import type { Input } from '@shared/ipc/contract';
import { CopyButton } from '../../components/copy-button';
import { FieldInput } from '../../components/field-input';

/**
 * The OAuth app's fields (client id, client secret, scopes, base URL) and their checks, shared by Settings → OAuth
 * apps and the new-connection wizard, which collects them in place when the provider has no app yet. The
 * redirect URI is the loopback one of RFC 8252: the core listens on a free port for each consent, so the app at
 * the provider registers it without a port (the core's own error messages name the same URI).
 */
export const LOOPBACK_REDIRECT_URI = 'http://127.0.0.1/callback';

export type OAuthAppValues = { clientId: string; clientSecret: string; scopes: string; baseUrl: string };
export const EMPTY_OAUTH_APP: OAuthAppValues = { clientId: '', clientSecret: '', scopes: '', baseUrl: '' };

type AppPayload = Omit<Input<'oauthApps:create'>, 'workspaceId' | 'provider'>;

/** What is sent for these values: scopes split on spaces or commas, empty base URL and secret left out. */
export function oauthAppPayload(v: OAuthAppValues): AppPayload {
  const baseUrl = v.baseUrl.trim();
  return {
    clientId: v.clientId.trim(),
    scopes: v.scopes.split(/[\s,]+/).filter(Boolean),
    settings: baseUrl ? { baseUrl } : {},
    ...(v.clientSecret ? { clientSecret: v.clientSecret } : {}),
  };
}

const isLoopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '[::1]';

/** The checks the core makes on these fields, in plain words, keyed as the fields are (`clientId`, `baseUrl`). */
export function oauthAppProblems(provider: OAuthProvider, v: OAuthAppValues, clientIdRequired = true): Record<string, string> {
  const found: Record<string, string> = {};
  const label = PROVIDER_CATALOG[provider].label;
  if (clientIdRequired && v.clientId.trim() === '') found.clientId = `Enter the client id of your OAuth app at ${label}.`;
  const baseUrl = v.baseUrl.trim();
  if (baseUrl) {
    let u: URL | null = null;
    try {
      u = new URL(baseUrl);
    } catch {
      found.baseUrl = 'Enter a full URL such as https://your-org.okta.com/oauth2/default.';
    }
    if (u && !(u.protocol === 'https:' || (u.protocol === 'http:' && isLoopback(u.hostname)))) found.baseUrl = 'Use https:// (http:// only for this machine).';
  }
  if (v.scopes.trim() && !/^[\x21\x23-\x5b\x5d-\x7e\s,]+$/.test(v.scopes)) found.scopes = 'Scopes are names separated by spaces, without quotes or backslashes.';
  return found;
}

/** The key an error from the core is shown under (it names `clientId`, `clientSecret`, `settings.baseUrl`, `scopes`). */
export const oauthAppIssueKey = (field: string): string => field.replace(/^settings\./, '').replace(/\..*$/, '');

const baseUrlHelp = (provider: OAuthProvider) =>
  provider === 'okta'
    ? 'Optional: your authorization server, e.g. https://your-org.okta.com/oauth2/default. Empty uses the default server of the org URL.'
    : `Optional: only when ${PROVIDER_CATALOG[provider].label} runs on your own host. Empty uses ${PROVIDER_CATALOG[provider].oauth?.issuer ?? 'the provider'}.`;

/**
 * The fields, controlled by the form around them. `idPrefix` names the test ids (`<prefix>-client-id`…);
 * `storedSecret` (editing) says a secret is stored and an empty input keeps it.
 */
export function OAuthAppFields(
  props: Readonly<{
    provider: OAuthProvider;
    values: OAuthAppValues;
    onChange: (v: OAuthAppValues) => void;
    issues: Readonly<Record<string, string>>;
    idPrefix: string;
    storedSecret?: boolean;
    /** Shows the redirect URI to register at the provider, with a Copy button. */
    showRedirect?: boolean;
    /** Scopes and base URL folded under "Advanced" (the wizard), or shown like the rest (Settings). */
    foldAdvanced?: boolean;
  }>,
) {
  const { provider, values, onChange, issues, idPrefix } = props;
  const set = (k: keyof OAuthAppValues) => (v: string) => onChange({ ...values, [k]: v });
  const field = (k: keyof OAuthAppValues, testSuffix: string, f: Omit<ProviderField, 'key'>) => (
    <FieldInput field={{ key: k, ...f }} value={values[k]} onChange={set(k)} error={issues[k]} testId={`${idPrefix}-${testSuffix}`} errorTestId={`${idPrefix}-error-${testSuffix}`} />
  );
  return (
    <>
      {props.showRedirect && (
        <div className="field">
          <span>Redirect URI to register at {PROVIDER_CATALOG[provider].label}</span>
          <div className="copy-row">
            <code className="mono" data-testid={`${idPrefix}-redirect-uri`}>
              {LOOPBACK_REDIRECT_URI}
            </code>
            <CopyButton text={LOOPBACK_REDIRECT_URI} testId={`${idPrefix}-redirect-copy`} />
          </div>
          <small className="muted">Any port: the app listens on a free local port for each consent.</small>
        </div>
      )}
      {field('clientId', 'client-id', { label: 'Client id', required: true, format: 'text' })}
      {field('clientSecret', 'client-secret', {
        label: 'Client secret',
        required: false,
        format: 'secret',
        help: props.storedSecret ? 'One is stored: leave empty to keep it.' : 'Stored encrypted in the vault, never shown again. Leave empty for a public client (PKCE only).',
      })}
      <Advanced fold={props.foldAdvanced ?? false}>
        {field('scopes', 'scopes', {
          label: 'Scopes',
          required: false,
          format: 'text',
          placeholder: PROVIDER_CATALOG[provider].oauth?.defaultScopes,
          help: "Separated by spaces; empty uses the provider's defaults.",
        })}
        {field('baseUrl', 'base-url', { label: 'Authorization server (base URL)', required: false, format: 'text', placeholder: 'https://', help: baseUrlHelp(provider) })}
      </Advanced>
    </>
  );
}

function Advanced(props: Readonly<{ fold: boolean; children: ReactNode }>) {
  return props.fold ? (
    <details>
      <summary>Advanced: scopes, authorization server</summary>
      {props.children}
    </details>
  ) : (
    <>{props.children}</>
  );
}
