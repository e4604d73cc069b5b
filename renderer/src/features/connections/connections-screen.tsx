import { useEffect, useMemo, useState } from 'react';
import {
  BASE_URL_FIELD,
  CONNECTION_STATUSES,
  PROVIDERS,
  KEY_PASSPHRASE_FIELD,
  PROVIDER_CATALOG,
  credentialFieldIssues,
  credentialIssue,
  keyPassphraseIssue,
  normalizeSettings,
  settingsIssues,
  type ConnectionStatus,
  type Provider,
  type ProviderField,
} from '@shared/domain/connection.catalog';
import type { ConnectionDetail, ConnectionTestResult } from '@shared/domain/connection';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useConnections, useSession } from '../app-context';
import { EmptyState, ErrorBanner, ScreenHeader } from '../components/ui';
import { Modal } from '../components/dialog';
import { OAuthConnectionPanel, RefreshHealthPanel } from './oauth-panels';

const OUTCOME_LABEL: Record<ConnectionTestResult['outcome'], string> = {
  valid: 'Valid',
  invalid_credential: 'Invalid credential',
  insufficient_scope: 'Insufficient scope',
  rate_limited: 'Rate limited',
  provider_error: 'Provider error',
  unreachable: 'Unreachable',
};

/** Letter badge in the provider's colour: drawn locally, the app never loads remote images. */
export function ProviderIcon(props: Readonly<{ provider: Provider; size?: number }>) {
  const { icon, label } = PROVIDER_CATALOG[props.provider];
  const size = props.size ?? 28;
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" role="img" aria-label={label} data-testid={`provider-icon-${props.provider}`} className="provider-icon">
      <rect width="32" height="32" rx="7" fill={icon.color} />
      <text x="16" y="21" textAnchor="middle" fontSize={icon.letter.length > 1 ? 12 : 16} fontWeight="700" fill="#fff" fontFamily="system-ui, sans-serif">
        {icon.letter}
      </text>
    </svg>
  );
}

export function StatusBadge(props: Readonly<{ status: ConnectionStatus }>) {
  return (
    <span className={`badge status-${props.status}`} data-testid="connection-status" data-status={props.status}>
      {props.status === 'error' ? '● error' : props.status}
    </span>
  );
}

const when = (iso: string) => iso.replace('T', ' ').slice(0, 19);

/** The non-blank credential field values of a form (blank means "not entered"). */
const enteredFields = (values: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));

/**
 * The same credential-field checks the core makes (shape only; the core also decrypts a key with its passphrase),
 * keyed by field name (`credentialFields.<key>`). `passphraseStored` says whether the connection already has one.
 */
function credentialFieldProblems(provider: Provider, credential: string, values: Readonly<Record<string, string>>, passphraseStored = false): Record<string, string> {
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

/** One write-only credential field (catalog `credentialFields`): a password input, never prefilled. */
function CredentialFieldInput(props: Readonly<{ field: ProviderField; value: string; onChange: (v: string) => void; error?: string; testId: string; errorTestId: string; note?: string }>) {
  const { field, error } = props;
  return (
    <label className="field">
      <span>{field.label}</span>
      <input type="password" data-testid={props.testId} value={props.value} onChange={(e) => props.onChange(e.target.value)} autoComplete="off" aria-invalid={!!error} />
      <small className="muted">{props.note ?? field.help ?? 'Stored encrypted in the vault; it can be replaced but never shown again.'}</small>
      {error && (
        <small className="field-error" data-testid={props.errorTestId}>
          {error}
        </small>
      )}
    </label>
  );
}

/** Connections: list (everyone), detail and actions (admins and editors), the new-connection wizard. */
export function ConnectionsScreen() {
  const { connections, api } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  // The session's role decides what is shown; the core enforces the same rules on every call regardless.
  const role = useSession((s) => (s.currentWorkspaceId ? s.session?.roles[s.currentWorkspaceId] : undefined));
  const canWrite = role === 'admin' || role === 'editor';
  const { items, status, error, nextCursor, filters, selected, selectedError } = useConnections((s) => s);
  const [wizard, setWizard] = useState(false);

  useEffect(() => {
    if (workspaceId) void connections.getState().load(workspaceId, {});
  }, [workspaceId, connections]);

  // Another window or the REST API changed something: refresh the list (not the audited detail record).
  useEffect(() => api.on('connections:changed', (p) => p.workspaceId === workspaceId && void connections.getState().refresh()), [api, connections, workspaceId]);

  const setFilter = (f: typeof filters) => workspaceId && void connections.getState().load(workspaceId, f);

  return (
    <section className="screen" data-testid="screen-connections">
      <ScreenHeader
        title="Connections"
        subtitle="Stored credentials for the 12 integrations. Credentials are write-only: once saved they are never shown again."
        actions={
          canWrite && (
            <button data-testid="connection-new" onClick={() => setWizard(true)}>
              New connection
            </button>
          )
        }
      />
      {!canWrite && role && (
        <p className="muted" data-testid="connections-viewer-note">
          Your role ({role}) can see connections and their status. Ask an admin or editor to create, test or change them.
        </p>
      )}
      {wizard && <NewConnectionWizard onClose={() => setWizard(false)} />}
      <div className="filters">
        <label>
          Provider
          <select data-testid="connections-filter-provider" value={filters.provider ?? ''} onChange={(e) => setFilter({ ...filters, provider: (e.target.value || undefined) as Provider | undefined })}>
            <option value="">All providers</option>
            {PROVIDERS.map((p) => (
              <option key={p} value={p}>
                {PROVIDER_CATALOG[p].label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select data-testid="connections-filter-status" value={filters.status ?? ''} onChange={(e) => setFilter({ ...filters, status: (e.target.value || undefined) as ConnectionStatus | undefined })}>
            <option value="">Any status</option>
            {CONNECTION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Search
          <input type="search" data-testid="connections-search" placeholder="Name contains…" value={filters.q ?? ''} onChange={(e) => setFilter({ ...filters, q: e.target.value || undefined })} />
        </label>
      </div>
      <ErrorBanner error={error} testId="connections-error" />
      {status === 'ready' && items.length === 0 ? (
        filters.provider || filters.status || filters.q ? (
          <EmptyState title="No connections match" testId="connections-empty">Clear the filters or the search to see every connection.</EmptyState>
        ) : (
          <EmptyState title="No connections yet" testId="connections-empty">
            {canWrite ? 'Click "New connection", pick a provider and enter its credential. Test it before using it in a workflow.' : 'An admin or editor has not created any connection in this workspace yet.'}
          </EmptyState>
        )
      ) : (
        <div className={selected || selectedError ? 'split' : undefined}>
          <table className="table" data-testid="connections-table">
            <thead>
              <tr>
                <th aria-label="Icon" />
                <th>Name</th>
                <th>Provider</th>
                <th>Status</th>
                <th>Updated (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr
                  key={c.id}
                  data-testid="connection-row"
                  data-status={c.status}
                  data-provider={c.provider}
                  className={`${selected?.id === c.id ? 'row-selected' : ''} ${canWrite ? 'clickable' : ''}`}
                  onClick={canWrite ? () => void connections.getState().open(c.id) : undefined}
                >
                  <td>
                    <ProviderIcon provider={c.provider} />
                  </td>
                  <td>{canWrite ? <button className="link" data-testid="connection-open">{c.name}</button> : c.name}</td>
                  <td>{PROVIDER_CATALOG[c.provider].label}</td>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                  <td className="mono">{when(c.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {canWrite && (selected || selectedError) && (
            <div>
              <ErrorBanner error={selectedError} testId="connection-detail-error" />
              {selected && <ConnectionDetailPanel key={selected.id} c={selected} />}
            </div>
          )}
        </div>
      )}
      {nextCursor && (
        <button className="secondary" data-testid="connections-load-more" onClick={() => void connections.getState().loadMore()}>
          Load more
        </button>
      )}
      <RefreshHealthPanel />
    </section>
  );
}

function TestResultView(props: Readonly<{ result: ConnectionTestResult; testId: string }>) {
  const r = props.result;
  return (
    <div className={`test-result ${r.ok ? 'ok' : 'failed'}`} data-testid={props.testId} data-outcome={r.outcome} role="status">
      <strong>{OUTCOME_LABEL[r.outcome]}</strong> — {r.message}
      <div className="muted mono">
        {r.httpStatus !== null ? `HTTP ${r.httpStatus} · ` : ''}
        {r.latencyMs} ms · {when(r.testedAt)} UTC{r.retryAfterSeconds !== null ? ` · retry after ${r.retryAfterSeconds} s` : ''}
      </div>
    </div>
  );
}

function ConnectionDetailPanel(props: Readonly<{ c: ConnectionDetail }>) {
  const { connections } = useApp();
  const c = props.c;
  const entry = PROVIDER_CATALOG[c.provider];
  const testing = useConnections((s) => s.testing[c.id] ?? false);
  const [error, setError] = useState<IpcError | null>(null);
  const [credOpen, setCredOpen] = useState(false);
  const [credential, setCredential] = useState('');
  const [credIssue, setCredIssue] = useState<string | null>(null);
  const [fieldValues, setFieldValues] = useState<Record<string, string>>({});
  const [fieldIssues, setFieldIssues] = useState<Record<string, string>>({});
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [editing, setEditing] = useState<{ name: string; settings: Record<string, string> } | null>(null);
  const [editIssues, setEditIssues] = useState<Record<string, string>>({});

  const saveEdit = async () => {
    if (!editing) return;
    const found: Record<string, string> = {};
    if (editing.name.trim() === '') found.name = 'name is required';
    for (const i of settingsIssues(c.provider, normalizeSettings(c.provider, editing.settings))) found[i.field.replace(/^settings\./, '')] ??= i.message;
    setEditIssues(found);
    if (Object.keys(found).length > 0) return;
    // Keys cleared in the form are sent as null, which removes them (PATCH merges settings).
    const settings: Record<string, string | null> = {};
    for (const f of [...entry.settings, BASE_URL_FIELD]) {
      const v = editing.settings[f.key]?.trim() ?? '';
      if (v !== (c.settings[f.key] ?? '')) settings[f.key] = v === '' ? null : v;
    }
    const err = await connections.getState().update(c.id, {
      ...(editing.name !== c.name ? { name: editing.name } : {}),
      ...(Object.keys(settings).length > 0 ? { settings } : {}),
    });
    if (err?.field) setEditIssues({ [err.field.replace(/^settings\./, '')]: err.message });
    setError(err);
    if (!err) setEditing(null);
  };

  const runTest = async () => {
    setError(null);
    const r = await connections.getState().test(c.id);
    if (!r.ok) setError(r.error);
  };
  const saveCredential = async () => {
    // Blank inputs are left as stored: the credential, and each credential field, can be replaced on its own.
    const fields = enteredFields(fieldValues);
    const issue = credential.trim() !== '' || Object.keys(fields).length === 0 ? credentialIssue(c.provider, credential) : null;
    const problems = credentialFieldProblems(c.provider, credential, fields, KEY_PASSPHRASE_FIELD in c.storedCredentialFields);
    setCredIssue(issue?.message ?? null);
    setFieldIssues(problems);
    if (issue || Object.keys(problems).length > 0) return;
    const err = await connections.getState().update(c.id, {
      ...(credential.trim() !== '' ? { credential } : {}),
      ...(Object.keys(fields).length > 0 ? { credentialFields: fields } : {}),
    });
    setError(err);
    if (err?.field?.startsWith('credentialFields.')) setFieldIssues({ [err.field]: err.message });
    else if (err?.field === 'credential') setCredIssue(err.message);
    if (!err) {
      setCredential('');
      setFieldValues({});
      setCredOpen(false);
    }
  };
  const removeField = async (key: string) => setError(await connections.getState().update(c.id, { credentialFields: { [key]: null } }));
  const setStatus = async (status: 'active' | 'paused') => setError(await connections.getState().update(c.id, { status }));
  const failed = c.lastTest && !c.lastTest.ok;

  return (
    <aside className="card detail" data-testid="connection-detail" aria-label={`Connection ${c.name}`}>
      <div className="detail-head">
        <ProviderIcon provider={c.provider} size={36} />
        <div>
          <h2 data-testid="connection-detail-name">{c.name}</h2>
          <div className="muted">
            {entry.label} · {entry.authLabel} · <StatusBadge status={c.status} />
          </div>
        </div>
        <button className="link" aria-label="Close" data-testid="connection-detail-close" onClick={() => connections.getState().close()}>
          ✕
        </button>
      </div>
      <ErrorBanner error={error} testId="connection-action-error" />
      <div className="actions-row">
        <button data-testid="connection-test" disabled={testing} onClick={() => void runTest()}>
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
        {entry.authType !== 'oauth2' && (
          <button className="secondary" data-testid="connection-update-credentials" onClick={() => setCredOpen(true)}>
            Update credentials
          </button>
        )}
        <button className="secondary" data-testid="connection-edit" onClick={() => setEditing({ name: c.name, settings: { ...c.settings } })}>
          Edit
        </button>
        <button className="danger" data-testid="connection-delete" onClick={() => setConfirmDelete(true)}>
          Delete
        </button>
      </div>
      {c.status === 'paused' && <p className="muted">Paused: runs and workflow steps refuse this connection until you resume it.</p>}
      {c.lastError && (
        <p className="warn-text" data-testid="connection-last-error">
          {c.lastError.code === 'not_authorized' ? c.lastError.message : `Last error: ${c.lastError.message}`}
        </p>
      )}
      {entry.authType === 'oauth2' && <OAuthConnectionPanel connection={c} />}
      {editing && (
        <form
          className="stack"
          data-testid="connection-edit-form"
          onSubmit={(e) => {
            e.preventDefault();
            void saveEdit();
          }}
        >
          <FieldInput testPrefix="edit" field={{ key: 'name', label: 'Name', required: true, format: 'text' }} value={editing.name} onChange={(v) => setEditing({ ...editing, name: v })} error={editIssues.name} />
          {[...entry.settings, BASE_URL_FIELD].map((f) => (
            <FieldInput
              key={f.key}
              testPrefix="edit"
              field={f}
              value={editing.settings[f.key] ?? ''}
              onChange={(v) => setEditing({ ...editing, settings: { ...editing.settings, [f.key]: v } })}
              error={editIssues[f.key]}
            />
          ))}
          <div className="actions-row">
            <button type="submit" data-testid="connection-edit-save">Save changes</button>
            <button type="button" className="secondary" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {credOpen && (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void saveCredential();
          }}
        >
          <label>
            New {entry.credential?.label ?? 'credential'} <span className="muted">(replaces the stored one; it cannot be shown again{entry.credentialFields ? '; leave empty to keep it' : ''})</span>
            {entry.credential?.format === 'pem' ? (
              <textarea data-testid="connection-credential-input" rows={6} value={credential} onChange={(e) => setCredential(e.target.value)} autoComplete="off" spellCheck={false} />
            ) : (
              <input type="password" data-testid="connection-credential-input" value={credential} onChange={(e) => setCredential(e.target.value)} autoComplete="off" />
            )}
          </label>
          {credIssue && <span className="field-error" data-testid="connection-credential-error">{credIssue}</span>}
          {entry.credentialFields?.map((f) => (
            <CredentialFieldInput
              key={f.key}
              field={f}
              value={fieldValues[f.key] ?? ''}
              onChange={(v) => setFieldValues({ ...fieldValues, [f.key]: v })}
              error={fieldIssues[`credentialFields.${f.key}`]}
              testId={`connection-credential-field-input-${f.key}`}
              errorTestId={`connection-credential-field-error-${f.key}`}
              note={f.key in c.storedCredentialFields ? 'One is stored: leave empty to keep it, or enter a new one to replace it.' : f.help}
            />
          ))}
          <div className="actions-row">
            <button type="submit" data-testid="connection-credential-save">Save credential</button>
            <button type="button" className="secondary" onClick={() => setCredOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <h3>Last test</h3>
      {c.lastTest ? (
        <>
          <TestResultView result={c.lastTest} testId="connection-last-test" />
          {failed && (c.lastTest.outcome === 'invalid_credential' || c.lastTest.outcome === 'insufficient_scope') && entry.authType !== 'oauth2' && !credOpen && (
            <button className="link" data-testid="connection-fix-credentials" onClick={() => setCredOpen(true)}>
              Update credentials
            </button>
          )}
        </>
      ) : (
        <p className="muted" data-testid="connection-last-test-none">
          Never tested. API-key connections are saved without validation: click Test before using this one in a workflow.
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
            <td>{c.credentialSecretId ? `vault secret ${c.credentialSecretId}` : c.hasCredential ? 'stored in the vault (write-only)' : 'none'}</td>
          </tr>
          {entry.credentialFields?.map((f) => {
            const stored = c.storedCredentialFields[f.key];
            return (
              <tr key={f.key} data-testid={`connection-credential-field-${f.key}`} data-stored={stored ? 'true' : 'false'}>
                <th>{f.label}</th>
                <td>
                  {stored ? (stored.secretId ? `vault secret ${stored.secretId}` : 'stored in the vault (write-only)') : 'not set'}
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
            <td className="mono">{when(c.createdAt)}</td>
          </tr>
        </tbody>
      </table>
      <h3>Referenced by</h3>
      {c.referencedBy.length === 0 ? (
        <p className="muted" data-testid="connection-references-none">No workflow step references this connection.</p>
      ) : (
        <ul className="list" data-testid="connection-references">
          {c.referencedBy.map((r) => (
            <li key={`${r.type}:${r.id}`}>
              {r.name ?? r.id} <span className="muted">({r.type})</span>
            </li>
          ))}
        </ul>
      )}
      <h3>Status history</h3>
      <ol className="history" data-testid="connection-history">
        {c.statusHistory.map((h, i) => (
          <li key={i}>
            <span className="mono">{when(h.at)}</span> {h.from ?? '—'} → <strong>{h.to}</strong> <span className="muted">({h.reason}, {h.actor})</span>
          </li>
        ))}
      </ol>
      {confirmDelete && <DeleteDialog c={c} onClose={() => setConfirmDelete(false)} />}
    </aside>
  );
}

function DeleteDialog(props: Readonly<{ c: ConnectionDetail; onClose: () => void }>) {
  const { connections } = useApp();
  const { c } = props;
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const referenced = c.referencedBy.length > 0;
  return (
    <Modal
      title={`Delete “${c.name}”?`}
      onClose={props.onClose}
      testId="connection-delete-dialog"
      actions={
        <>
          <button className="secondary" data-testid="connection-delete-cancel" onClick={props.onClose} autoFocus>
            Cancel
          </button>
          <button
            className="danger"
            data-testid="connection-delete-confirm"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              const err = await connections.getState().remove(c.id, referenced);
              setBusy(false);
              setError(err);
              if (!err) props.onClose();
            }}
          >
            {referenced ? 'Delete anyway' : 'Delete'}
          </button>
        </>
      }
    >
      <p>The stored credential is destroyed. This cannot be undone.</p>
      {referenced ? (
        <div className="error-banner" data-testid="connection-delete-references">
          Deleting a connection does not remove references to it. These will fail with “connection not found”:
          <ul>
            {c.referencedBy.map((r) => (
              <li key={`${r.type}:${r.id}`}>
                {r.name ?? r.id} ({r.type})
              </li>
            ))}
          </ul>
          Update or remove those steps first, or delete anyway.
        </div>
      ) : (
        <p className="muted">No workflow step references it.</p>
      )}
      <ErrorBanner error={error} testId="connection-delete-error" />
    </Modal>
  );
}

function FieldInput(props: Readonly<{ field: ProviderField; value: string; onChange: (v: string) => void; error?: string; testPrefix?: string }>) {
  const { field, value, onChange, error } = props;
  const prefix = props.testPrefix ?? 'wizard';
  const id = `${prefix}-field-${field.key}`;
  return (
    <label className="field">
      <span>
        {field.label}
        {field.required ? ' *' : ''}
      </span>
      {field.format === 'enum' ? (
        <select data-testid={id} value={value} onChange={(e) => onChange(e.target.value)}>
          {!field.required && <option value="">Default</option>}
          {field.options?.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : (
        <input data-testid={id} value={value} placeholder={field.placeholder} onChange={(e) => onChange(e.target.value)} aria-invalid={!!error} />
      )}
      {field.help && <small className="muted">{field.help}</small>}
      {error && (
        <small className="field-error" data-testid={`${prefix}-error-${field.key}`}>
          {error}
        </small>
      )}
    </label>
  );
}

function NewConnectionWizard(props: Readonly<{ onClose: () => void }>) {
  const { connections } = useApp();
  const [provider, setProvider] = useState<Provider | null>(null);
  const [name, setName] = useState('');
  const [settings, setSettings] = useState<Record<string, string>>({});
  const [credential, setCredential] = useState('');
  const [fieldValues, setFieldValues] = useState<Record<string, string>>({});
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [error, setError] = useState<IpcError | null>(null);
  const [result, setResult] = useState<ConnectionTestResult | null>(null);
  const [saving, setSaving] = useState(false);
  const testing = useConnections((s) => s.testing.draft ?? false);
  const entry = provider ? PROVIDER_CATALOG[provider] : null;

  const pick = (p: Provider) => {
    setProvider(p);
    const defaults: Record<string, string> = {};
    for (const f of PROVIDER_CATALOG[p].settings) if (f.defaultValue !== undefined) defaults[f.key] = f.defaultValue;
    setSettings(defaults);
    setName((n) => n || PROVIDER_CATALOG[p].label);
    setFieldValues({});
    setIssues({});
    setResult(null);
    setError(null);
  };

  /** The same checks the core makes, so mistakes are caught before anything is sent. */
  const check = (withName: boolean): boolean => {
    if (!provider || !entry) return false;
    const found: Record<string, string> = {};
    if (withName && name.trim() === '') found.name = 'name is required';
    for (const i of settingsIssues(provider, normalizeSettings(provider, settings))) found[i.field.replace(/^settings\./, '')] ??= i.message;
    if (entry.credential) {
      const ci = credentialIssue(provider, credential);
      if (ci) found.credential = ci.message;
      Object.assign(found, credentialFieldProblems(provider, credential, enteredFields(fieldValues)));
    }
    setIssues(found);
    return Object.keys(found).length === 0;
  };

  const payloadSettings = useMemo(() => Object.fromEntries(Object.entries(settings).filter(([, v]) => v.trim() !== '')), [settings]);
  const payloadFields = useMemo(() => {
    const entered = enteredFields(fieldValues);
    return Object.keys(entered).length > 0 ? { credentialFields: entered } : {};
  }, [fieldValues]);

  const testBeforeSaving = async () => {
    if (!provider || !entry || !check(false)) return;
    setError(null);
    setResult(null);
    const r = await connections.getState().testDraft({ provider, authType: entry.authType, credential, settings: payloadSettings, ...payloadFields });
    if (!r.ok && r.error.field) setIssues({ [r.error.field.replace(/^settings\./, '')]: r.error.message });
    if (r.ok) setResult(r.value);
    else setError(r.error);
  };

  const save = async () => {
    if (!provider || !entry || !check(true)) return;
    setSaving(true);
    setError(null);
    const r = await connections.getState().create({
      name,
      provider,
      authType: entry.authType,
      settings: payloadSettings,
      ...(entry.credential ? { credential, ...payloadFields } : {}),
    });
    setSaving(false);
    if (!r.ok) {
      if (r.error.field) setIssues({ [r.error.field.replace(/^settings\./, '')]: r.error.message });
      setError(r.error);
      return;
    }
    setCredential('');
    setFieldValues({});
    props.onClose();
    void connections.getState().open(r.value.id);
  };

  return (
    <div className="card wizard" data-testid="connection-wizard">
      <div className="detail-head">
        <h2>New connection{entry ? `: ${entry.label}` : ''}</h2>
        <button className="link" aria-label="Close" data-testid="wizard-cancel" onClick={props.onClose}>
          ✕
        </button>
      </div>
      {!entry || !provider ? (
        <>
          <p className="muted">Pick the service to connect. You need a credential from the provider first (an OAuth app, an API key or a service account).</p>
          <div className="provider-grid">
            {PROVIDERS.map((p) => (
              <button key={p} className="provider-tile secondary" data-testid={`wizard-provider-${p}`} onClick={() => pick(p)}>
                <ProviderIcon provider={p} size={32} />
                <span>{PROVIDER_CATALOG[p].label}</span>
                <small className="muted">{PROVIDER_CATALOG[p].authLabel}</small>
              </button>
            ))}
          </div>
        </>
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <p className="muted">
            {entry.authLabel}. Where to get the credential:{' '}
            <a href={entry.docs.url} target="_blank" rel="noreferrer noopener" data-testid="wizard-docs-link">
              {entry.docs.title}
            </a>
            {' · '}
            <button type="button" className="link" data-testid="wizard-change-provider" onClick={() => setProvider(null)}>
              change provider
            </button>
          </p>
          <FieldInput field={{ key: 'name', label: 'Name', required: true, format: 'text' }} value={name} onChange={setName} error={issues.name} />
          {entry.settings.map((f) => (
            <FieldInput key={f.key} field={f} value={settings[f.key] ?? ''} onChange={(v) => setSettings({ ...settings, [f.key]: v })} error={issues[f.key]} />
          ))}
          <details>
            <summary>Advanced</summary>
            <FieldInput field={BASE_URL_FIELD} value={settings.baseUrl ?? ''} onChange={(v) => setSettings({ ...settings, baseUrl: v })} error={issues.baseUrl} />
          </details>
          {entry.credential && (
            <label className="field">
              <span>{entry.credential.label} *</span>
              {entry.credential.format === 'pem' ? (
                <textarea data-testid="wizard-field-credential" rows={6} value={credential} onChange={(e) => setCredential(e.target.value)} spellCheck={false} autoComplete="off" />
              ) : (
                <input type="password" data-testid="wizard-field-credential" value={credential} onChange={(e) => setCredential(e.target.value)} autoComplete="off" />
              )}
              <small className="muted">{entry.credential.help ?? 'Stored encrypted in the vault; it can be replaced but never shown again.'}</small>
              {issues.credential && (
                <small className="field-error" data-testid="wizard-error-credential">
                  {issues.credential}
                </small>
              )}
            </label>
          )}
          {entry.credential &&
            entry.credentialFields?.map((f) => (
              <CredentialFieldInput
                key={f.key}
                field={f}
                value={fieldValues[f.key] ?? ''}
                onChange={(v) => setFieldValues({ ...fieldValues, [f.key]: v })}
                error={issues[`credentialFields.${f.key}`]}
                testId={`wizard-field-cred-${f.key}`}
                errorTestId={`wizard-error-cred-${f.key}`}
              />
            ))}
          {!entry.credential && (
            <p className="muted" data-testid="wizard-oauth-note">
              {entry.label} uses OAuth 2.0: after saving, click Authorize to grant access at {entry.label}. Until then the connection shows status error (not authorized yet).
            </p>
          )}
          <ErrorBanner error={error} testId="wizard-error" />
          {testing && <p className="muted" data-testid="wizard-testing">Testing against {entry.label}… (gives up after 10 s)</p>}
          {result && <TestResultView result={result} testId="wizard-test-result" />}
          <div className="actions-row">
            <button type="submit" data-testid="wizard-save" disabled={saving}>
              {saving ? 'Saving…' : 'Save'}
            </button>
            {entry.credential && (
              <button type="button" className="secondary" data-testid="wizard-test" disabled={testing} onClick={() => void testBeforeSaving()}>
                Test before saving
              </button>
            )}
            <button type="button" className="secondary" onClick={props.onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
