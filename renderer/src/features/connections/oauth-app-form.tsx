import { useState } from 'react';
import { PROVIDER_CATALOG } from '@shared/domain/connection.catalog';
import { OAUTH_PROVIDERS, type OAuthProvider } from '@shared/domain/oauth.catalog';
import type { OAuthApp } from '@shared/domain/oauth';
import type { IpcError } from '@shared/ipc/result';
import { useApp } from '../../app-context';
import { ProviderSelect } from '../../components/provider-select';
import { FormActions } from '../../components/form-actions';
import { Form } from '../../components/form';

/**
 * Add an OAuth app, or edit one (`editing`): client id, client secret (write-only: empty keeps the stored one),
 * scopes and a base URL override. The provider is fixed once the app exists.
 */
export function OAuthAppForm(props: Readonly<{ editing: OAuthApp | null; onError: (e: IpcError | null) => void; onClose: () => void }>) {
  const { oauth } = useApp();
  const { editing } = props;
  const [provider, setProvider] = useState<OAuthProvider>(editing?.provider ?? 'okta');
  const [clientId, setClientId] = useState(editing?.clientId ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const [scopes, setScopes] = useState(editing?.scopes.join(' ') ?? '');
  const [baseUrl, setBaseUrl] = useState(editing?.settings.baseUrl ?? '');

  const save = async () => {
    const scopeList = scopes.split(/[\s,]+/).filter(Boolean);
    const settings = baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {};
    const secret = clientSecret ? { clientSecret } : {};
    const err = editing
      ? await oauth.getState().updateApp(editing.id, { clientId, scopes: scopeList, settings, ...secret })
      : await oauth.getState().createApp({ provider, clientId, scopes: scopeList, settings, ...secret });
    props.onError(err);
    if (!err) props.onClose();
  };

  return (
    <Form testId="oauth-app-form" onSubmit={save}>
      <label>
        Provider
        <ProviderSelect testId="oauth-app-provider" providers={OAUTH_PROVIDERS} value={provider} disabled={!!editing} onChange={setProvider} />
      </label>
      <label>
        Client id
        <input data-testid="oauth-app-client-id" value={clientId} onChange={(e) => setClientId(e.target.value)} autoComplete="off" />
      </label>
      <label>
        Client secret <span className="muted">{editing?.hasClientSecret ? '(leave empty to keep the stored one)' : '(empty for a public PKCE client)'}</span>
        <input type="password" data-testid="oauth-app-client-secret" value={clientSecret} onChange={(e) => setClientSecret(e.target.value)} autoComplete="off" />
      </label>
      <label>
        Scopes <span className="muted">(space-separated; empty = the provider&apos;s defaults)</span>
        <input data-testid="oauth-app-scopes" value={scopes} onChange={(e) => setScopes(e.target.value)} placeholder={PROVIDER_CATALOG[provider].oauth?.defaultScopes} />
      </label>
      <label>
        Base URL override <span className="muted">{provider === 'okta' ? '(the authorization server, e.g. https://your-org.okta.com/oauth2/default)' : '(optional, e.g. an enterprise host)'}</span>
        <input data-testid="oauth-app-base-url" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder="https://" />
      </label>
      <FormActions submitLabel={editing ? 'Save changes' : 'Add'} submitTestId="oauth-app-save" onCancel={props.onClose} />
    </Form>
  );
}
