import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { GENERATOR_ALPHABETS, type GeneratorAlphabet } from '@shared/domain/secret.catalog';
import type { Secret, SecretDetail, SecretValue } from '@shared/domain/secret';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useSecrets, useSession } from '../app-context';
import { EmptyState, ErrorBanner, ScreenHeader } from '../components/ui';
import { Modal } from '../components/dialog';

const ROW_HEIGHT = 44;
const ALPHABETS = Object.keys(GENERATOR_ALPHABETS) as GeneratorAlphabet[];

/** JSON editor check, as you type. The message names a line and column, never the text itself. */
export function checkJsonObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  if (!text.trim()) return { ok: false, message: 'Type a JSON object, e.g. {"user": "svc", "password": "…"}' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const pos = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    if (!pos) return { ok: false, message: 'Not valid JSON: check for a missing quote, comma or brace at the end' };
    const before = text.slice(0, Number(pos[1]));
    const line = before.split('\n').length;
    const col = before.length - before.lastIndexOf('\n');
    return { ok: false, message: `Not valid JSON at line ${line}, column ${col}` };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, message: 'The value must be a JSON object ({…}), not an array or a single value' };
  return { ok: true, value: parsed as Record<string, unknown> };
}

function VaultLockedNotice() {
  return (
    <div className="error-banner" role="alert" data-testid="vault-locked">
      <strong>The vault is locked (VAULT_LOCKED).</strong> Secret names and metadata stay visible, but values cannot be created, rotated or
      revealed. Unlock the vault in Settings → Vault (or restart the app so it unlocks from the OS keychain), then try again.
    </div>
  );
}

/** Shows an error; a locked vault gets the notice that says what to do. */
function Problem(props: Readonly<{ error?: IpcError | null; testId?: string }>) {
  if (props.error?.code === 'VAULT_LOCKED') return <VaultLockedNotice />;
  return <ErrorBanner error={props.error} testId={props.testId} />;
}

/** Secrets: searchable virtual list paged from the keyset API, detail panel, write-only values, audited reveal. */
export function SecretsScreen() {
  const { secrets, api } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const role = useSession((s) => s.role());
  const { items, status, error, nextCursor, search, selectedId, loadingMore } = useSecrets((s) => s);
  const [draftSearch, setDraftSearch] = useState(search);
  const [creating, setCreating] = useState(false);
  const canWrite = role === 'admin' || role === 'editor';

  useEffect(() => {
    if (workspaceId) void secrets.getState().load(workspaceId, '');
    setDraftSearch('');
    return () => secrets.getState().hide();
  }, [workspaceId, secrets]);

  // Search as you type, debounced so each keystroke does not start a query.
  useEffect(() => {
    if (!workspaceId || draftSearch === secrets.getState().search) return;
    const h = setTimeout(() => void secrets.getState().load(workspaceId, draftSearch), 200);
    return () => clearTimeout(h);
  }, [draftSearch, workspaceId, secrets]);

  useEffect(
    () =>
      api.on('secrets:changed', (p) => {
        const st = secrets.getState();
        if (p.workspaceId !== workspaceId) return;
        if (st.selectedId === p.id) void st.refreshSelected();
        // Only a list still on its first page is reloaded: a scrolled list keeps its position.
        if (!st.nextCursor) void st.load(p.workspaceId);
      }),
    [api, secrets, workspaceId],
  );

  const parentRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: items.length, getScrollElement: () => parentRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const virtualItems = virtualizer.getVirtualItems();
  const lastIndex = virtualItems.length ? virtualItems[virtualItems.length - 1]!.index : -1;
  useEffect(() => {
    if (nextCursor && !loadingMore && lastIndex >= items.length - 40) void secrets.getState().loadMore();
  }, [lastIndex, items.length, nextCursor, loadingMore, secrets]);

  return (
    <section className="screen" data-testid="screen-secrets">
      <ScreenHeader
        title="Secrets"
        subtitle="Credentials encrypted in the vault. Values are write-only: only an admin can reveal one, and every reveal is audited."
        actions={
          canWrite ? (
            <button data-testid="secret-new" onClick={() => setCreating(true)}>
              New secret
            </button>
          ) : null
        }
      />
      <Problem error={error} testId="secrets-error" />
      <div className="secrets-layout">
        <div className="secrets-list-pane">
          <input
            type="search"
            placeholder="Search by name prefix"
            aria-label="Search secrets"
            data-testid="secret-search"
            value={draftSearch}
            onChange={(e) => setDraftSearch(e.target.value)}
          />
          {status === 'ready' && items.length === 0 ? (
            search ? (
              <EmptyState title="No secret matches" testId="secrets-empty">No secret name starts with “{search}”. Clear the search to see all secrets.</EmptyState>
            ) : (
              <EmptyState title="No secrets yet" testId="secrets-empty">
                {canWrite ? 'Click “New secret” to store an API key, password or token; connections and agents reference it by id.' : 'An admin or editor can add secrets to this workspace.'}
              </EmptyState>
            )
          ) : (
            <div ref={parentRef} className="virtual-list" data-testid="secret-list" data-count={items.length}>
              <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
                {virtualItems.map((vi) => {
                  const s = items[vi.index]!;
                  return (
                    <button
                      key={s.id}
                      className={s.id === selectedId ? 'secret-row selected' : 'secret-row'}
                      style={{ position: 'absolute', top: 0, left: 0, width: '100%', height: ROW_HEIGHT, transform: `translateY(${vi.start}px)` }}
                      data-testid="secret-row"
                      data-name={s.name}
                      onClick={() => void secrets.getState().select(s.id)}
                    >
                      <span className="secret-name">{s.name}</span>
                      <SecretBadges s={s} />
                    </button>
                  );
                })}
              </div>
            </div>
          )}
          {loadingMore && <p className="muted">Loading more…</p>}
        </div>
        <div className="secrets-detail-pane">{selectedId ? <DetailPanel /> : <p className="muted">Select a secret to see its versions, schedule, references and last access.</p>}</div>
      </div>
      {creating && <CreateDialog onClose={() => setCreating(false)} />}
    </section>
  );
}

function SecretBadges({ s }: Readonly<{ s: Secret }>) {
  return (
    <span className="secret-badges">
      {s.valueType === 'json' && <span className="badge">JSON</span>}
      {s.generator && <span className="badge">generated</span>}
      {s.rotation?.dueSince && (
        <span className="badge risk-medium" data-testid="rotation-due">
          rotation due
        </span>
      )}
      <span className="muted mono">v{s.version}</span>
    </span>
  );
}

type ValueMode = 'text' | 'json' | 'generate';

/** Value entry shared by create and rotate: plain text, a JSON object (validated as you type), or generated. */
function ValueEditor(props: Readonly<{ mode: ValueMode; setMode: (m: ValueMode) => void; text: string; setText: (t: string) => void; gen: { length: number; alphabet: GeneratorAlphabet }; setGen: (g: { length: number; alphabet: GeneratorAlphabet }) => void; allowGenerate: boolean }>) {
  const check = props.mode === 'json' ? checkJsonObject(props.text) : null;
  return (
    <fieldset className="value-editor">
      <legend>Value</legend>
      <div className="form-row">
        {(['text', 'json', ...(props.allowGenerate ? ['generate'] : [])] as ValueMode[]).map((m) => (
          <label key={m}>
            <input type="radio" name="value-mode" data-testid={`value-mode-${m}`} checked={props.mode === m} onChange={() => props.setMode(m)} />
            {m === 'text' ? 'Text' : m === 'json' ? 'JSON object' : 'Generate for me'}
          </label>
        ))}
      </div>
      {props.mode === 'generate' ? (
        <div className="form-row">
          <label>
            Length
            <input type="number" min={8} max={512} data-testid="generate-length" value={props.gen.length} onChange={(e) => props.setGen({ ...props.gen, length: Number(e.target.value) })} />
          </label>
          <label>
            Characters
            <select data-testid="generate-alphabet" value={props.gen.alphabet} onChange={(e) => props.setGen({ ...props.gen, alphabet: e.target.value as GeneratorAlphabet })}>
              {ALPHABETS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
          <p className="muted">The app generates the value in the vault; nobody sees it unless an admin reveals it. With a schedule, the app rotates it itself.</p>
        </div>
      ) : (
        <>
          <textarea
            className="mono"
            rows={props.mode === 'json' ? 6 : 3}
            spellCheck={false}
            autoComplete="off"
            data-testid="secret-value-input"
            aria-label="Secret value"
            placeholder={props.mode === 'json' ? '{"user": "svc", "password": "…"}' : 'Paste the credential'}
            value={props.text}
            onChange={(e) => props.setText(e.target.value)}
          />
          {check && (
            <p className={check.ok ? 'muted' : 'field-error'} data-testid="json-check">
              {check.ok ? `Valid JSON object with ${Object.keys(check.value).length} field(s)` : check.message}
            </p>
          )}
        </>
      )}
    </fieldset>
  );
}

function useValueEditor(allowGenerate: boolean) {
  const [mode, setMode] = useState<ValueMode>('text');
  const [text, setText] = useState('');
  const [gen, setGen] = useState<{ length: number; alphabet: GeneratorAlphabet }>({ length: 32, alphabet: 'alphanumeric' });
  const editor = <ValueEditor mode={mode} setMode={setMode} text={text} setText={setText} gen={gen} setGen={setGen} allowGenerate={allowGenerate} />;
  const value = (): { value?: SecretValue; generate?: typeof gen; error?: string } => {
    if (mode === 'generate') return { generate: gen };
    if (mode === 'json') {
      const c = checkJsonObject(text);
      return c.ok ? { value: c.value as SecretValue } : { error: c.message };
    }
    return text ? { value: text } : { error: 'Type or paste the value' };
  };
  return { editor, value, mode };
}

function CreateDialog({ onClose }: Readonly<{ onClose: () => void }>) {
  const { secrets } = useApp();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [everyDays, setEveryDays] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const v = useValueEditor(true);
  return (
    <Modal title="New secret" onClose={onClose} testId="secret-create-dialog">
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          const val = v.value();
          if (val.error) return setError({ code: 'INVALID_INPUT', message: val.error, field: 'value' });
          setBusy(true);
          const days = everyDays.trim() ? Number(everyDays) : undefined;
          const err = await secrets.getState().create({
            name,
            ...(description ? { description } : {}),
            ...(val.value !== undefined ? { value: val.value } : { generate: val.generate }),
            ...(days !== undefined ? { rotation: { everyDays: days } } : {}),
          });
          setBusy(false);
          setError(err);
          if (!err) onClose();
        }}
      >
        <label>
          Name
          <input data-testid="secret-name-input" value={name} onChange={(e) => setName(e.target.value)} autoFocus placeholder="e.g. stripe-live-key" />
        </label>
        <label>
          Description (optional)
          <input data-testid="secret-description-input" value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        {v.editor}
        <label>
          Rotate every N days (optional)
          <input type="number" min={1} data-testid="secret-rotation-input" value={everyDays} onChange={(e) => setEveryDays(e.target.value)} placeholder="no schedule" />
        </label>
        <Problem error={error} testId="secret-create-error" />
        <div className="form-row">
          <button type="submit" data-testid="secret-create-submit" disabled={busy}>
            {busy ? 'Encrypting…' : 'Create secret'}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

function DetailPanel() {
  const { secrets } = useApp();
  const detail = useSecrets((s) => s.detail);
  const detailError = useSecrets((s) => s.detailError);
  const role = useSession((s) => s.role());
  const [dialog, setDialog] = useState<'rotate' | 'delete' | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  if (detailError) return <Problem error={detailError} testId="secret-detail-error" />;
  if (!detail) return <p className="muted">Loading…</p>;
  const s = detail.secret;
  const isAdmin = role === 'admin';
  const canWrite = isAdmin || role === 'editor';
  return (
    <div className="card" data-testid="secret-detail" data-secret-id={s.id}>
      <h2 data-testid="secret-detail-name">{s.name}</h2>
      {s.description && <p>{s.description}</p>}
      <dl className="meta">
        <dt>ID</dt>
        <dd className="mono">{s.id}</dd>
        <dt>Value</dt>
        <dd data-testid="secret-value-hidden">
          {s.valueType === 'json' ? 'JSON object' : 'text'}, version {s.version}
          {s.generator ? ` · generated (${s.generator.length} ${s.generator.alphabet})` : ''} · write-only
        </dd>
        <dt>Created</dt>
        <dd>{fmt(s.createdAt)}</dd>
        <dt>Last rotated</dt>
        <dd>{s.lastRotatedAt ? fmt(s.lastRotatedAt) : 'never'}</dd>
        <dt>Last access</dt>
        <dd data-testid="secret-last-access">{detail.lastAccess ? `${fmt(detail.lastAccess.at)} by ${detail.lastAccess.actorName} from ${detail.lastAccess.origin}` : 'never revealed'}</dd>
      </dl>
      <Problem error={error} testId="secret-action-error" />
      <div className="form-row">
        {isAdmin && <RevealControl id={s.id} onError={setError} />}
        {canWrite && (
          <button className="secondary" data-testid="secret-rotate" onClick={() => setDialog('rotate')}>
            Rotate…
          </button>
        )}
        {canWrite && (
          <button className="danger" data-testid="secret-delete" onClick={() => setDialog('delete')}>
            Delete…
          </button>
        )}
      </div>
      <RevealedValue id={s.id} />
      <ScheduleEditor detail={detail} canWrite={canWrite} onError={setError} />
      <h3>Versions</h3>
      <table className="table" data-testid="secret-versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Source</th>
            <th>When</th>
            <th>By</th>
            {isAdmin && <th />}
          </tr>
        </thead>
        <tbody>
          {detail.versions.map((v) => (
            <tr key={v.version} data-testid="secret-version-row">
              <td>
                v{v.version}
                {v.version === s.version ? ' (current)' : ''}
              </td>
              <td>{v.source}</td>
              <td>{fmt(v.createdAt)}</td>
              <td>{v.createdBy}</td>
              {isAdmin && (
                <td>
                  {v.version !== s.version && (
                    <button
                      className="link"
                      data-testid="secret-rollback"
                      onClick={async () => setError(await secrets.getState().rollback(s.id, v.version))}
                    >
                      Roll back to this
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">The last 10 versions are kept encrypted; older ones are deleted when a new version is added.</p>
      <h3>References</h3>
      {detail.references.length === 0 ? (
        <p className="muted" data-testid="secret-references-none">
          Nothing references this secret yet.
        </p>
      ) : (
        <ul className="list" data-testid="secret-references">
          {detail.references.map((r) => (
            <li key={`${r.fromType}:${r.fromId}`}>
              {r.fromName ?? r.fromId} <span className="muted">({r.fromType})</span>
            </li>
          ))}
        </ul>
      )}
      {dialog === 'rotate' && <RotateDialog secret={s} onClose={() => setDialog(null)} />}
      {dialog === 'delete' && <DeleteDialog detail={detail} onClose={() => setDialog(null)} />}
    </div>
  );
}

function RevealControl({ id, onError }: Readonly<{ id: string; onError: (e: IpcError | null) => void }>) {
  const { secrets } = useApp();
  const shown = useSecrets((s) => s.revealed?.id === id);
  const [busy, setBusy] = useState(false);
  return shown ? (
    <button className="secondary" data-testid="secret-hide" onClick={() => secrets.getState().hide()}>
      Hide value
    </button>
  ) : (
    <button
      className="secondary"
      data-testid="secret-reveal"
      disabled={busy}
      title="Shows the value for 30 seconds; recorded in the audit log as secret.accessed (high risk)"
      onClick={async () => {
        setBusy(true);
        onError(await secrets.getState().reveal(id));
        setBusy(false);
      }}
    >
      Reveal (audited)
    </button>
  );
}

function RevealedValue({ id }: Readonly<{ id: string }>) {
  const { secrets } = useApp();
  const revealed = useSecrets((s) => (s.revealed?.id === id ? s.revealed : undefined));
  const copied = useSecrets((s) => s.copied);
  const [left, setLeft] = useState(0);
  const [error, setError] = useState<IpcError | null>(null);
  useEffect(() => {
    if (!revealed) return;
    const tick = () => setLeft(Math.max(0, Math.ceil((revealed.hidesAt - Date.now()) / 1000)));
    tick();
    const h = setInterval(tick, 500);
    return () => clearInterval(h);
  }, [revealed]);
  if (!revealed) return null;
  return (
    <div className="revealed" data-testid="secret-revealed">
      <pre className="mono" data-testid="secret-revealed-value">
        {revealed.text}
      </pre>
      <div className="form-row">
        <span className="muted" data-testid="secret-reveal-countdown">
          Hides in {left} s · version {revealed.version} · this reveal is in the audit log
        </span>
        <button className="secondary" data-testid="secret-copy" onClick={async () => setError(await secrets.getState().copy())}>
          {copied ? 'Copied (clipboard clears in 30 s)' : 'Copy'}
        </button>
      </div>
      <ErrorBanner error={error} />
    </div>
  );
}

function ScheduleEditor({ detail, canWrite, onError }: Readonly<{ detail: SecretDetail; canWrite: boolean; onError: (e: IpcError | null) => void }>) {
  const { secrets } = useApp();
  const s = detail.secret;
  const [days, setDays] = useState(s.rotation ? String(s.rotation.everyDays) : '');
  useEffect(() => setDays(s.rotation ? String(s.rotation.everyDays) : ''), [s.rotation]);
  return (
    <div className="schedule" data-testid="secret-schedule">
      <h3>Rotation schedule</h3>
      {s.rotation ? (
        <p>
          Every {s.rotation.everyDays} day(s).{' '}
          {s.rotation.dueSince ? (
            <strong data-testid="secret-rotation-due">Rotation due since {fmt(s.rotation.dueSince)}: rotate it with a new value from its provider.</strong>
          ) : s.rotation.nextRotationAt ? (
            <>
              Next {s.generator ? 'automatic rotation' : 'reminder'}: {fmt(s.rotation.nextRotationAt)}
            </>
          ) : null}
        </p>
      ) : (
        <p className="muted">No schedule.</p>
      )}
      {canWrite && (
        <form
          className="inline"
          onSubmit={async (e) => {
            e.preventDefault();
            onError(await secrets.getState().update({ id: s.id, rotation: days.trim() ? { everyDays: Number(days) } : null }));
          }}
        >
          <input type="number" min={1} aria-label="Rotate every N days" data-testid="secret-schedule-input" value={days} onChange={(e) => setDays(e.target.value)} placeholder="days (empty = none)" />
          <button type="submit" className="secondary" data-testid="secret-schedule-save">
            Save schedule
          </button>
        </form>
      )}
    </div>
  );
}

function RotateDialog({ secret, onClose }: Readonly<{ secret: Secret; onClose: () => void }>) {
  const { secrets } = useApp();
  const v = useValueEditor(secret.generator !== null);
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Modal title={`Rotate “${secret.name}”`} onClose={onClose} testId="secret-rotate-dialog">
      <p className="muted">The new value becomes version {secret.version + 1}. Connections and agents that reference this secret use it on their next run.</p>
      <form
        className="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          const val = v.value();
          if (val.error) return setError({ code: 'INVALID_INPUT', message: val.error, field: 'value' });
          setBusy(true);
          const err = await secrets.getState().rotate(secret.id, val.value);
          setBusy(false);
          setError(err);
          if (!err) onClose();
        }}
      >
        {v.editor}
        <Problem error={error} testId="secret-rotate-error" />
        <div className="form-row">
          <button type="submit" data-testid="secret-rotate-submit" disabled={busy}>
            {busy ? 'Rotating…' : 'Rotate'}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

function DeleteDialog({ detail, onClose }: Readonly<{ detail: SecretDetail; onClose: () => void }>) {
  const { secrets } = useApp();
  const [force, setForce] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const refs = detail.references;
  return (
    <Modal title={`Delete “${detail.secret.name}”?`} onClose={onClose} testId="secret-delete-dialog">
      <p>All {detail.versions.length} kept version(s) are destroyed. This cannot be undone.</p>
      {refs.length > 0 && (
        <>
          <p>
            <strong>Still in use by:</strong>
          </p>
          <ul className="list" data-testid="secret-delete-references">
            {refs.map((r) => (
              <li key={`${r.fromType}:${r.fromId}`}>
                {r.fromName ?? r.fromId} <span className="muted">({r.fromType})</span>
              </li>
            ))}
          </ul>
          <label>
            <input type="checkbox" data-testid="secret-delete-force" checked={force} onChange={(e) => setForce(e.target.checked)} /> Delete anyway and clear these
            references (they will stop working)
          </label>
        </>
      )}
      <Problem error={error} testId="secret-delete-error" />
      <div className="form-row">
        <button
          className="danger"
          data-testid="secret-delete-confirm"
          disabled={refs.length > 0 && !force}
          onClick={async () => {
            const err = await secrets.getState().remove(detail.secret.id, force);
            setError(err);
            if (!err) onClose();
          }}
        >
          Delete secret
        </button>
        <button className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}

const fmt = (iso: string) => iso.replace('T', ' ').slice(0, 16) + ' UTC';
