import { X } from 'lucide-react';
import { useState } from 'react';
import { BASE_URL_FIELD, PROVIDER_CATALOG } from '@shared/domain/connection.catalog';
import type { ConnectionDetail } from '@shared/domain/connection';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useConnections } from '../../app-context';
import { Timestamp } from '../../components/timestamp';
import { ProviderIcon, StatusBadge, TestResultView } from './connection-badges';
import { ConnectionCredentialForm } from './connection-credential-form';
import { ConnectionDeleteDialog } from './connection-delete-dialog';
import { ConnectionEditForm } from './connection-edit-form';
import { OAuthConnectionPanel } from './oauth-connection-panel';
import { UsedByList } from '../workflows/used-by-list';
import { SecretProblem } from '../secrets/secret-problem';
import { InlineUnlock, useVaultLocked } from '../vault/inline-unlock';
import { SecretLink } from '../secrets/secret-link';
import { IconButton } from '../../components/tooltip';

/** A connection's detail (admins and editors: reading it is audited): actions, last test, settings, references, history. */
export function ConnectionDetailPanel(props: Readonly<{ c: ConnectionDetail }>) {
  const { connections } = useApp();
  const c = props.c;
  const entry = PROVIDER_CATALOG[c.provider];
  const testing = useConnections((s) => s.testing[c.id] ?? false);
  const [error, setError] = useState<IpcError | null>(null);
  // Independent, as before the split: the edit and credential forms can be open together, and Delete over them.
  const [editing, setEditing] = useState(false);
  const [credOpen, setCredOpen] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  // Testing and credential entry read or seal the credential in the vault: disabled while it is locked.
  const locked = useVaultLocked();

  const runTest = async () => {
    setError(null);
    const r = await connections.getState().test(c.id);
    if (!r.ok) setError(r.error);
  };
  const removeField = async (key: string) => setError(await connections.getState().update(c.id, { credentialFields: { [key]: null } }));
  const setStatus = async (status: 'active' | 'paused') => setError(await connections.getState().update(c.id, { status }));
  const failed = c.lastTest && !c.lastTest.ok;
  const hasCredential = entry.authType !== 'oauth2';

  return (
    <aside className="card detail" data-testid="connection-detail" aria-label={`Connection ${c.name}`}>
      <div className="detail-head">
        <ProviderIcon provider={c.provider} size={36} />
        <div>
          <h2 data-testid="connection-detail-name">{c.name}</h2>
          <div className="muted">
            {entry.label} · {entry.authLabel} · <StatusBadge status={c.status} awaitingAuthorization={c.awaitingAuthorization} />
          </div>
        </div>
        <IconButton icon={X} label="Close the details" className="link" testId="connection-detail-close" onClick={() => connections.getState().close()} />
      </div>
      <SecretProblem error={error} testId="connection-action-error" />
      <div className="actions-row">
        <button data-testid="connection-test" disabled={testing || locked} onClick={() => void runTest()}>
          {testing ? 'Testing…' : 'Test'}
        </button>
        {c.status === 'paused' ? (
          <button className="secondary" data-testid="connection-resume" onClick={() => void setStatus('active')}>
            Resume
          </button>
        ) : (
          <button className="secondary" data-testid="connection-pause" onClick={() => void setStatus('paused')}>
            Pause
          </button>
        )}
        {hasCredential && (
          <button className="secondary" data-testid="connection-update-credentials" disabled={locked} onClick={() => setCredOpen(true)}>
            Update credentials
          </button>
        )}
        <button className="secondary" data-testid="connection-edit" onClick={() => setEditing(true)}>
          Edit
        </button>
        <button className="danger" data-testid="connection-delete" onClick={() => setConfirmDelete(true)}>
          Delete
        </button>
        <InlineUnlock testId="connection-actions-unlock" label="Test and credentials need the vault." />
      </div>
      {c.status === 'paused' && <p className="muted">Paused: runs and workflow steps refuse this connection until you resume it.</p>}
      {c.lastError && (
        <p className={c.lastError.code === 'not_authorized' ? 'muted' : 'warn-text'} data-testid="connection-last-error">
          {c.lastError.code === 'not_authorized' ? c.lastError.message : `Last error: ${c.lastError.message}`}
        </p>
      )}
      {!hasCredential && <OAuthConnectionPanel connection={c} />}
      {editing && <ConnectionEditForm c={c} onError={setError} onClose={() => setEditing(false)} />}
      {credOpen && !locked && <ConnectionCredentialForm c={c} onError={setError} onClose={() => setCredOpen(false)} />}
      {c.lastError?.code === 'SECRET_DELETED' && !credOpen && (
        <div className="error-banner" role="alert" data-testid="connection-secret-deleted">
          <strong>Its credential is gone:</strong> the vault secret holding it was force-deleted. Choose a secret or enter the credential
          again, then it is tested at once.{' '}
          <button type="button" className="link" data-testid="connection-choose-secret" disabled={locked} onClick={() => setCredOpen(true)}>
            Update credentials
          </button>
        </div>
      )}
      <h3>Last test</h3>
      {c.lastTest ? (
        <>
          <TestResultView result={c.lastTest} testId="connection-last-test" />
          {failed && (c.lastTest.outcome === 'invalid_credential' || c.lastTest.outcome === 'insufficient_scope') && hasCredential && !credOpen && (
            <button className="link" data-testid="connection-fix-credentials" disabled={locked} onClick={() => setCredOpen(true)}>
              Update credentials
            </button>
          )}
        </>
      ) : (
        <p className="muted" data-testid="connection-last-test-none">
          {entry.authType === 'oauth2'
            ? c.awaitingAuthorization
              ? 'Not tested: authorize it first, then Test checks the granted access.'
              : 'Never tested: click Test to check the granted access.'
            : 'Never tested. API-key connections are saved without validation: click Test before using this one in a workflow.'}
        </p>
      )}
      <h3>Settings</h3>
      <table className="kv" data-testid="connection-settings">
        <tbody>
          {Object.entries(c.settings).map(([k, v]) => (
            <tr key={k}>
              <th>{[...entry.settings, BASE_URL_FIELD].find((f) => f.key === k)?.label ?? k}</th>
              <td className="mono">{v}</td>
            </tr>
          ))}
          <tr>
            <th>Credential</th>
            <td data-testid="connection-credential-source">
              {c.credentialSecretId ? (
                <>
                  vault secret <SecretLink id={c.credentialSecretId} testId="connection-credential-secret" />
                </>
              ) : c.hasCredential ? (
                'stored in the vault (write-only)'
              ) : (
                'none'
              )}
            </td>
          </tr>
          {entry.credentialFields?.map((f) => {
            const stored = c.storedCredentialFields[f.key];
            return (
              <tr key={f.key} data-testid={`connection-credential-field-${f.key}`} data-stored={stored ? 'true' : 'false'}>
                <th>{f.label}</th>
                <td>
                  {stored ? (
                    stored.secretId ? (
                      <>
                        vault secret <SecretLink id={stored.secretId} testId={`connection-credential-field-secret-${f.key}`} />
                      </>
                    ) : (
                      'stored in the vault (write-only)'
                    )
                  ) : (
                    'not set'
                  )}
                  {stored && (
                    <>
                      {' '}
                      <button className="link" data-testid={`connection-credential-field-remove-${f.key}`} onClick={() => void removeField(f.key)}>
                        Remove
                      </button>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
          <tr>
            <th>Created</th>
            <td className="mono"><Timestamp iso={c.createdAt} /></td>
          </tr>
        </tbody>
      </table>
      <h3>Referenced by</h3>
      {c.referencedBy.length === 0 ? (
        <p className="muted" data-testid="connection-references-none">No workflow step references this connection.</p>
      ) : (
        <UsedByList referrers={c.referencedBy} testId="connection-references" />
      )}
      <h3>Status history</h3>
      <ol className="history" data-testid="connection-history">
        {c.statusHistory.map((h, i) => (
          <li key={i}>
            <span className="mono"><Timestamp iso={h.at} /></span> {h.from ?? '—'} → <strong>{h.to}</strong> <span className="muted">({h.reason}, {h.actor})</span>
          </li>
        ))}
      </ol>
      {confirmDelete && <ConnectionDeleteDialog c={c} onClose={() => setConfirmDelete(false)} />}
    </aside>
  );
}
