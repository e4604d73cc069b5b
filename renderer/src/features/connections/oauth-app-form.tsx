import { useState } from 'react';
import { OAUTH_PROVIDERS, type OAuthProvider } from '@shared/domain/oauth.catalog';
import type { OAuthApp } from '@shared/domain/oauth';
import type { IpcError } from '@shared/ipc/result';
import { useApp } from '../../app-context';
import { ProviderSelect } from '../../components/provider-select';
import { FormActions } from '../../components/form-actions';
import { Form } from '../../components/form';
import { OAuthAppFields, oauthAppIssueKey, oauthAppPayload, oauthAppProblems, type OAuthAppValues } from './oauth-app-fields';

/**
 * Add an OAuth app, or edit one (`editing`): client id, client secret (write-only: empty keeps the stored one),
 * scopes and a base URL override. The provider is fixed once the app exists. Problems are shown next to their field;
 * anything else goes to `onError` (the section's banner).
 */
export function OAuthAppForm(props: Readonly<{ editing: OAuthApp | null; onError: (e: IpcError | null) => void; onClose: () => void }>) {
  const { oauth } = useApp();
  const { editing } = props;
  const [provider, setProvider] = useState<OAuthProvider>(editing?.provider ?? 'okta');
  const [values, setValues] = useState<OAuthAppValues>({
    clientId: editing?.clientId ?? '',
    clientSecret: '',
    scopes: editing?.scopes.join(' ') ?? '',
    baseUrl: editing?.settings.baseUrl ?? '',
  });
  const [issues, setIssues] = useState<Record<string, string>>({});

  const change = (v: OAuthAppValues) => {
    setValues(v);
    setIssues({});
  };
  const save = async () => {
    const found = oauthAppProblems(provider, values);
    setIssues(found);
    if (Object.keys(found).length > 0) return;
    const payload = oauthAppPayload(values);
    const err = editing ? await oauth.getState().updateApp(editing.id, payload) : await oauth.getState().createApp({ provider, ...payload });
    if (err?.field && oauthAppIssueKey(err.field) in values) {
      setIssues({ [oauthAppIssueKey(err.field)]: err.message });
      props.onError(null);
      return;
    }
    props.onError(err);
    if (!err) props.onClose();
  };

  return (
    <Form testId="oauth-app-form" onSubmit={save}>
      <label>
        Provider
        <ProviderSelect testId="oauth-app-provider" providers={OAUTH_PROVIDERS} value={provider} disabled={!!editing} onChange={setProvider} />
      </label>
      <OAuthAppFields provider={provider} values={values} onChange={change} issues={issues} idPrefix="oauth-app" storedSecret={editing?.hasClientSecret} showRedirect />
      <FormActions submitLabel={editing ? 'Save changes' : 'Add'} submitTestId="oauth-app-save" onCancel={props.onClose} />
    </Form>
  );
}
