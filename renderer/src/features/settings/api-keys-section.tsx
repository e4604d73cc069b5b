import { useState } from 'react';
import { SCOPES, type Scope } from '@shared/access/policy';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useIdentity } from '../../app-context';
import { EmptyState, ErrorBanner } from '../../components/ui';
import { ConfirmDialog } from '../../components/dialog';
import { CopyButton } from '../../components/copy-button';
import { Timestamp } from '../../components/timestamp';
import { RestrictedSection, useRestrictedList } from './restricted-section';
import { Form } from '../../components/form';
import { IDENTITY_MESSAGES } from '@shared/domain/identity.catalog';
import { FieldError, bannerError, errorFor } from '../../components/field-error';
import './identity-forms.css';

/** The create form's fields the server may name in an error (shown next to the field, not in the banner). */
const KEY_FIELDS = ['name', 'scopes'] as const;
const NAME_REQUIRED = 'Enter a name, e.g. what the script does.';

/** Settings → API keys: create (shown once, with copy), list with last use, revoke with confirmation. Admins only. */
export function ApiKeysSection() {
  const { identity } = useApp();
  const { ws, allowed } = useRestrictedList('apikey.manage', identity.getState().loadApiKeys);
  const keys = useIdentity((s) => s.apiKeys);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [error, setError] = useState<IpcError | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  // Checked before submit once the person has tried to create; a field's error clears as soon as it changes.
  const [tried, setTried] = useState(false);
  const problems = { name: name.trim() ? null : NAME_REQUIRED, scopes: scopes.length ? null : IDENTITY_MESSAGES.scopesRequired };
  const shown = (f: (typeof KEY_FIELDS)[number]) => (tried ? problems[f] : null) ?? errorFor(error, f);
  const clearFor = (f: (typeof KEY_FIELDS)[number]) => error?.field === f && setError(null);

  if (!ws) return null;
  return (
    <RestrictedSection
      title="API keys"
      intro={<>For scripts calling the REST API with <span className="mono">x-api-key</span>. A key works in this workspace only, within its scopes.</>}
      testId="apikeys-section"
      allowed={allowed}
      notAllowed="Only an admin of this workspace can manage API keys."
      notAllowedTestId="apikeys-not-allowed"
    >
      <ErrorBanner error={bannerError(error, KEY_FIELDS)} testId="apikeys-error" />
      {created && (
        <div className="secret-once" data-testid="apikey-created">
          <span>Copy this key now: it is not shown again.</span>
          <code className="mono" data-testid="apikey-value">{created}</code>
          {/* keyed by the key: a new key starts with "Copy" again */}
          <CopyButton key={created} text={created} testId="apikey-copy" />
          <button type="button" className="link" data-testid="apikey-dismiss" onClick={() => setCreated(null)}>Done</button>
        </div>
      )}
      {keys.length === 0 ? (
        <EmptyState title="No API keys yet" testId="apikeys-empty">Create one below, choosing only the scopes your script needs.</EmptyState>
      ) : (
        <table className="table" data-testid="apikeys-table">
          <thead>
            <tr><th>Name</th><th>Scopes</th><th>Created</th><th>Last used</th><th /></tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id} data-testid="apikey-row" data-name={k.name}>
                <td>{k.name}</td>
                <td className="mono">{k.scopes.join(', ')}</td>
                <td className="mono"><Timestamp iso={k.createdAt} none="never" /></td>
                <td className="mono" data-testid="apikey-last-used"><Timestamp iso={k.lastUsedAt} none="never" /></td>
                <td><button className="link" data-testid="apikey-revoke" onClick={() => setRevoking({ id: k.id, name: k.name })}>Revoke</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Form
        className="stacked"
        onSubmit={async () => {
          setTried(true);
          if (problems.name || problems.scopes) return setError(null);
          const r = await identity.getState().createApiKey(ws, name, scopes);
          if ('key' in r) {
            setCreated(r.key);
            setName('');
            setScopes([]);
            setError(null);
            setTried(false);
          } else setError(r);
        }}
      >
        <label>
          Name
          <input
            data-testid="apikey-name"
            placeholder="e.g. nightly backup script"
            value={name}
            aria-invalid={!!shown('name')}
            onChange={(e) => {
              setName(e.target.value);
              clearFor('name');
            }}
          />
          <FieldError message={shown('name')} testId="apikey-name-error" />
        </label>
        <div className="scopes" role="group" aria-label="Scopes" aria-invalid={!!shown('scopes')}>
          {SCOPES.map((s) => (
            <label key={s}>
              <input
                type="checkbox"
                data-testid={`apikey-scope-${s}`}
                checked={scopes.includes(s)}
                onChange={(e) => {
                  setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s));
                  clearFor('scopes');
                }}
              />
              <span className="mono">{s}</span>
            </label>
          ))}
        </div>
        <FieldError message={shown('scopes')} testId="apikey-scopes-error" />
        <div><button type="submit" data-testid="apikey-create">Create API key</button></div>
      </Form>
      {revoking && (
        <ConfirmDialog
          title="Revoke API key"
          confirmLabel="Revoke"
          testId="apikey-revoke-dialog"
          onCancel={() => setRevoking(null)}
          onConfirm={async () => {
            setError(await identity.getState().revokeApiKey(ws, revoking.id));
            setRevoking(null);
          }}
        >
          Revoke “{revoking.name}”? Scripts using it get 401 from their next request. This cannot be undone.
        </ConfirmDialog>
      )}
    </RestrictedSection>
  );
}
