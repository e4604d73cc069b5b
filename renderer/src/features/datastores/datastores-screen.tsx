import { useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { useStore } from 'zustand';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Datastore, DatastoreObject, UploadUrl } from '@shared/domain/datastore';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useSession } from '../app-context';
import { useCan } from '../access';
import { EmptyState, ErrorBanner, ScreenHeader } from '../components/ui';
import { Modal } from '../components/dialog';
import { formatBytes, formatDuration } from '../components/format';
import type { ConflictChoice, DatastoresState, DroppedFile, UploadItem } from '../stores/datastores-store';
import { collectDropped } from './drop-files';

const useDs = <T,>(sel: (s: DatastoresState) => T): T => useStore(useApp().datastores, sel);

/** Datastores: list / create / delete, and the object browser of the selected one with drag-and-drop uploads. */
export function DatastoresScreen() {
  const { datastores: store, api } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const can = useCan();
  const { datastores, usage, status, error, selectedId } = useDs((s) => s);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Datastore | null>(null);
  // Hidden, not just refused: the core checks every call anyway, from the same POLICY table.
  const canWrite = can('datastore.object_write');
  const canCreate = can('datastore.create');

  useEffect(() => {
    if (workspaceId) void store.getState().load(workspaceId);
  }, [workspaceId, store]);
  useEffect(
    () => api.on('datastores:changed', (p) => {
      if (p.workspaceId === workspaceId && store.getState().uploads.every((u) => u.state !== 'running')) void store.getState().load(p.workspaceId);
    }),
    [api, store, workspaceId],
  );

  const selected = datastores.find((d) => d.id === selectedId);
  return (
    <section className="screen" data-testid="screen-datastores">
      <ScreenHeader
        title="Datastores"
        subtitle={
          usage
            ? `${usage.objectCount} object${usage.objectCount === 1 ? '' : 's'} · ${formatBytes(usage.bytesUsed)} used in this workspace`
            : 'Object stores on this machine or in S3.'
        }
        actions={canCreate && <button data-testid="datastore-new" onClick={() => setCreating(true)}>New datastore</button>}
      />
      <ErrorBanner error={error} />
      {status === 'ready' && datastores.length === 0 ? (
        <EmptyState title="No datastores yet" testId="datastores-empty">
          Create one with “New datastore”: files you drop on it are encrypted at rest in a folder on this machine, or kept in an S3 bucket.
        </EmptyState>
      ) : (
        <div className="ds-layout">
          <div className="ds-list" data-testid="datastore-list">
            {datastores.map((d) => (
              <button key={d.id} className={d.id === selectedId ? 'ds-item active' : 'ds-item'} data-testid="datastore-item" onClick={() => store.getState().select(d.id)}>
                <strong>{d.name}</strong>
                <span className="muted">
                  {d.backend.type === 's3' ? `S3 · ${d.backend.bucket}` : 'This machine (encrypted)'} · {d.objectCount} objects · {formatBytes(d.bytesUsed)}
                </span>
              </button>
            ))}
          </div>
          {selected ? (
            <ObjectBrowser key={selected.id} ds={selected} canWrite={canWrite} onDelete={can('datastore.delete') ? () => setDeleting(selected) : undefined} />
          ) : (
            <EmptyState title="Pick a datastore">Choose a datastore on the left to browse its objects and drop files on it.</EmptyState>
          )}
        </div>
      )}
      {creating && <CreateDialog onClose={() => setCreating(false)} />}
      {deleting && <DeleteDatastoreDialog ds={deleting} onClose={() => setDeleting(null)} />}
    </section>
  );
}

function CreateDialog(props: Readonly<{ onClose: () => void }>) {
  const { datastores: store } = useApp();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [type, setType] = useState<'filesystem' | 's3'>('filesystem');
  const [fsPath, setFsPath] = useState('');
  const [s3, setS3] = useState({ endpoint: '', region: 'us-east-1', bucket: '', prefix: '', forcePathStyle: false, accessKeyId: '', secretAccessKey: '' });
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    const backend =
      type === 'filesystem'
        ? { type, ...(fsPath ? { path: fsPath } : {}) }
        : { type, region: s3.region, bucket: s3.bucket, forcePathStyle: s3.forcePathStyle, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, ...(s3.endpoint ? { endpoint: s3.endpoint } : {}), ...(s3.prefix ? { prefix: s3.prefix } : {}) };
    const err = await store.getState().create({ name, ...(description ? { description } : {}), backend });
    setBusy(false);
    if (err) setError(err);
    else props.onClose();
  };
  const field = (k: keyof typeof s3, label: string, extra: Record<string, string> = {}) => (
    <label>
      {label}
      <input data-testid={`datastore-s3-${k}`} value={String(s3[k])} onChange={(e) => setS3({ ...s3, [k]: e.target.value })} {...extra} />
    </label>
  );
  return (
    <Modal
      wide
      title="New datastore"
      onClose={props.onClose}
      testId="datastore-create-dialog"
      actions={
        <>
          <button className="secondary" onClick={props.onClose}>Cancel</button>
          <button data-testid="datastore-create" disabled={busy || !name.trim()} onClick={() => void submit()}>Create</button>
        </>
      }
    >
      <div className="stack">
        <label>
          Name
          <input data-testid="datastore-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </label>
        <label>
          Description (optional)
          <input data-testid="datastore-description" value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <label>
          Backend
          <select data-testid="datastore-backend" value={type} onChange={(e) => setType(e.target.value as 'filesystem' | 's3')}>
            <option value="filesystem">This machine (encrypted at rest)</option>
            <option value="s3">S3 or S3-compatible bucket</option>
          </select>
        </label>
        {type === 'filesystem' ? (
          <label>
            Folder (optional; an empty folder, absolute path; default: inside the app's data folder)
            <input data-testid="datastore-path" value={fsPath} onChange={(e) => setFsPath(e.target.value)} placeholder="/srv/provenance/reports" />
          </label>
        ) : (
          <>
            {field('endpoint', 'Endpoint (empty for AWS)', { placeholder: 'https://s3.example.com' })}
            {field('region', 'Region')}
            {field('bucket', 'Bucket')}
            {field('prefix', 'Key prefix (optional)')}
            <label>
              <span>
                <input type="checkbox" checked={s3.forcePathStyle} onChange={(e) => setS3({ ...s3, forcePathStyle: e.target.checked })} /> Path-style addressing (MinIO and most self-hosted servers)
              </span>
            </label>
            {field('accessKeyId', 'Access key id')}
            {field('secretAccessKey', 'Secret access key (stored in the vault, never shown again)', { type: 'password', autoComplete: 'off' })}
          </>
        )}
        <ErrorBanner error={error} testId="datastore-create-error" />
      </div>
    </Modal>
  );
}

function DeleteDatastoreDialog(props: Readonly<{ ds: Datastore; onClose: () => void }>) {
  const { datastores: store } = useApp();
  const [confirmText, setConfirmText] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const nonEmpty = props.ds.objectCount > 0;
  return (
    <Modal
      wide
      title={`Delete datastore “${props.ds.name}”?`}
      onClose={props.onClose}
      testId="datastore-delete-dialog"
      actions={
        <>
          <button className="secondary" onClick={props.onClose}>Cancel</button>
          <button
            className="danger"
            data-testid="datastore-delete-confirm"
            disabled={nonEmpty && confirmText !== props.ds.name}
            onClick={async () => {
              const err = await store.getState().remove(props.ds.id, nonEmpty);
              if (err) setError(err);
              else props.onClose();
            }}
          >
            Delete
          </button>
        </>
      }
    >
      {nonEmpty ? (
        <div className="stack">
          <p className="danger-text">
            It still holds {props.ds.objectCount} object(s), {formatBytes(props.ds.bytesUsed)}. They will be deleted too, and this cannot be undone.
          </p>
          <label>
            Type the datastore's name to confirm
            <input data-testid="datastore-delete-name" value={confirmText} onChange={(e) => setConfirmText(e.target.value)} />
          </label>
        </div>
      ) : (
        <p>The datastore is empty. Workflows that use it will fail until they point at another one.</p>
      )}
      <ErrorBanner error={error} />
    </Modal>
  );
}

type Row = { kind: 'folder'; prefix: string } | { kind: 'object'; object: DatastoreObject };

function ObjectBrowser(props: Readonly<{ ds: Datastore; canWrite: boolean; onDelete?: () => void }>) {
  const { datastores: store, uploader } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId)!;
  const { items, prefixes, prefix, search, nextCursor, browseStatus, browseError, uploads } = useDs((s) => s);
  const [over, setOver] = useState(false);
  const [pending, setPending] = useState<{ files: DroppedFile[]; conflicts: string[] } | null>(null);
  const [preview, setPreview] = useState<DatastoreObject | null>(null);
  const [toDelete, setToDelete] = useState<DatastoreObject | null>(null);
  const [urlDialog, setUrlDialog] = useState(false);
  const [testResult, setTestResult] = useState<{ ok: boolean; message: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [searchDraft, setSearchDraft] = useState(search);
  const scrollRef = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const rows: Row[] = useMemo(
    () => [...prefixes.map((p): Row => ({ kind: 'folder', prefix: p })), ...items.map((o): Row => ({ kind: 'object', object: o }))],
    [items, prefixes],
  );
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => 36, overscan: 12 });
  const vItems = virtual.getVirtualItems();
  const lastIndex = vItems.length > 0 ? vItems[vItems.length - 1]!.index : -1;
  useEffect(() => {
    if (nextCursor && lastIndex >= rows.length - 20) void store.getState().loadMore();
  }, [lastIndex, rows.length, nextCursor, store]);

  const start = async (files: DroppedFile[]) => {
    if (files.length === 0) return;
    const conflicts = await store.getState().findConflicts(files.map((f) => prefix + f.relPath));
    if (conflicts.length > 0) setPending({ files, conflicts });
    else void store.getState().startUploads(files, prefix, 'replace', []);
  };
  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setOver(false);
    if (!props.canWrite) return setNotice('Your role can read this datastore but not upload to it.');
    void collectDropped(e.dataTransfer).then(start);
  };
  const crumbs = prefix.split('/').filter(Boolean);

  return (
    <div className="stack" data-testid="object-browser">
      <div className="browser-bar">
        <strong data-testid="browser-title">{props.ds.name}</strong>
        <span className="muted">{props.ds.description}</span>
        <span style={{ flex: 1 }} />
        <button className="secondary" data-testid="datastore-test" onClick={async () => setTestResult(await store.getState().test(props.ds.id))}>
          Test backend
        </button>
        {props.canWrite && (
          <>
            <button className="secondary" data-testid="upload-url-open" onClick={() => setUrlDialog(true)}>Get upload URL</button>
            <input
              ref={fileInput}
              type="file"
              multiple
              data-testid="upload-input"
              style={{ display: 'none' }}
              onChange={(e) => {
                const files = Array.from(e.target.files ?? []).map((file) => ({ file, relPath: file.name }));
                e.target.value = '';
                void start(files);
              }}
            />
            <button className="secondary" data-testid="upload-files" onClick={() => fileInput.current?.click()}>
              Upload files…
            </button>
          </>
        )}
        {props.onDelete && (
          <button className="danger" data-testid="datastore-delete" onClick={props.onDelete}>
            Delete datastore
          </button>
        )}
      </div>
      {testResult && (
        <p data-testid="datastore-test-result" className={testResult.ok ? 'ok-text' : 'danger-text'}>
          {testResult.ok ? '✓ ' : '✗ '}
          {testResult.message}
        </p>
      )}
      {notice && <p className="muted">{notice}</p>}
      <div className="browser-bar">
        <nav className="crumbs" aria-label="Folder" data-testid="breadcrumbs">
          <button onClick={() => void store.getState().browse('')} data-testid="crumb-root">{props.ds.name}</button>
          {crumbs.map((c, i) => (
            <span key={i}>
              /<button onClick={() => void store.getState().browse(crumbs.slice(0, i + 1).join('/') + '/')}>{c}</button>
            </span>
          ))}
        </nav>
        <form
          className="filters"
          onSubmit={(e) => {
            e.preventDefault();
            void store.getState().browse(prefix, searchDraft);
          }}
        >
          <input data-testid="object-search" placeholder="Key starts with…" value={searchDraft} onChange={(e) => setSearchDraft(e.target.value)} />
          <button type="submit" className="secondary">Search</button>
        </form>
      </div>
      <ErrorBanner error={browseError} />
      <div
        className={over ? 'dropzone over' : 'dropzone'}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        {rows.length === 0 && browseStatus !== 'loading' ? (
          <EmptyState title={search ? 'No keys start with that' : 'No objects here yet'} testId="objects-empty">
            {props.canWrite ? 'Drop files or folders here (folders become key prefixes), or use “Upload files…”.' : 'Objects uploaded by editors and admins appear here.'}
          </EmptyState>
        ) : (
          <div className="obj-scroll" ref={scrollRef} data-testid="object-list">
            <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
              {vItems.map((v) => {
                const row = rows[v.index]!;
                return (
                  <div key={v.key} className="obj-row" style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${v.start}px)` }}>
                    {row.kind === 'folder' ? (
                      <>
                        <button className="link key" data-testid="folder-row" onClick={() => void store.getState().browse(row.prefix)}>
                          📁 {row.prefix.slice(prefix.length)}
                        </button>
                        <span />
                        <span />
                        <span />
                      </>
                    ) : (
                      <ObjectRow
                        o={row.object}
                        prefix={prefix}
                        canWrite={props.canWrite}
                        downloadUrl={uploader.downloadUrl(workspaceId, props.ds.id, row.object.key)}
                        onPreview={() => setPreview(row.object)}
                        onDelete={() => setToDelete(row.object)}
                      />
                    )}
                  </div>
                );
              })}
            </div>
          </div>
        )}
        {nextCursor && <p className="muted">Scroll to load more…</p>}
      </div>
      {uploads.length > 0 && <UploadPanel uploads={uploads} />}
      {pending && (
        <ConflictDialog
          conflicts={pending.conflicts}
          onChoose={(choice) => {
            const p = pending;
            setPending(null);
            if (choice) void store.getState().startUploads(p.files, prefix, choice, p.conflicts);
          }}
        />
      )}
      {preview && <PreviewDialog dsId={props.ds.id} o={preview} onClose={() => setPreview(null)} />}
      {toDelete && (
        <Modal
          wide
          title="Delete object?"
          onClose={() => setToDelete(null)}
          testId="object-delete-dialog"
          actions={
            <>
              <button className="secondary" onClick={() => setToDelete(null)}>Cancel</button>
              <button
                className="danger"
                data-testid="object-delete-confirm"
                onClick={async () => {
                  const err = await store.getState().deleteObject(toDelete.key);
                  setToDelete(null);
                  setNotice(err ? err.message : `Deleted ${toDelete.key}`);
                }}
              >
                Delete
              </button>
            </>
          }
        >
          <p>
            <span className="mono">{toDelete.key}</span> ({formatBytes(toDelete.size)}) will be deleted. Workflow steps that read this key will fail.
          </p>
        </Modal>
      )}
      {urlDialog && <UploadUrlDialog dsId={props.ds.id} prefix={prefix} onClose={() => setUrlDialog(false)} />}
    </div>
  );
}

/** Download where the shell can link to the bytes (the console); otherwise "Save as…" through the OS dialog. */
function SaveObject(props: Readonly<{ o: DatastoreObject; downloadUrl: string | null; testId: string }>) {
  const { datastores: store } = useApp();
  const [result, setResult] = useState<{ path: string } | IpcError | null>(null);
  if (props.downloadUrl) {
    return (
      <a className="link" data-testid={props.testId} href={props.downloadUrl} download={props.o.key.split('/').pop()}>
        Download
      </a>
    );
  }
  return (
    <>
      <button className="link" data-testid={`${props.testId}-save-as`} onClick={() => void store.getState().saveObjectAs(props.o.key).then(setResult)}>
        Save as…
      </button>
      {result && 'path' in result && (
        <span className="muted" data-testid="object-saved" title={result.path}>
          Saved
        </span>
      )}
      {result && 'code' in result && (
        <span className="danger-text" role="alert" title={result.message}>
          {result.message}
        </span>
      )}
    </>
  );
}

function ObjectRow(props: Readonly<{ o: DatastoreObject; prefix: string; canWrite: boolean; downloadUrl: string | null; onPreview: () => void; onDelete: () => void }>) {
  const { o } = props;
  const [copied, setCopied] = useState(false);
  return (
    <>
      <button className="link key" data-testid="object-row" data-key={o.key} title={o.key} onClick={props.onPreview}>
        {o.key.slice(props.prefix.length)}
      </button>
      <span className="muted">{formatBytes(o.size)}</span>
      <span className="muted" title={o.updatedAt}>{new Date(o.updatedAt).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })}</span>
      <span className="row-actions">
        <button
          className="link"
          data-testid="object-copy-key"
          onClick={() => {
            void navigator.clipboard?.writeText(o.key).then(() => setCopied(true));
          }}
        >
          {copied ? 'Copied' : 'Copy key'}
        </button>
        <SaveObject o={o} downloadUrl={props.downloadUrl} testId="object-download" />
        {props.canWrite && (
          <button className="link danger-text" data-testid="object-delete" onClick={props.onDelete}>
            Delete
          </button>
        )}
      </span>
    </>
  );
}

function UploadPanel(props: Readonly<{ uploads: UploadItem[] }>) {
  const { datastores: store } = useApp();
  const batchStartedAt = useDs((s) => s.batchStartedAt);
  const [now, setNow] = useState(Date.now());
  const active = props.uploads.some((u) => u.state === 'running' || u.state === 'queued');
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [active]);
  const counted = props.uploads.filter((u) => u.state !== 'skipped' && u.state !== 'cancelled');
  const total = counted.reduce((s, u) => s + u.size, 0);
  const sent = counted.reduce((s, u) => s + u.bytes, 0);
  const elapsed = batchStartedAt ? Math.max(0.001, (now - batchStartedAt) / 1000) : 0;
  const speed = elapsed > 0 ? sent / elapsed : 0;
  const by = (s: string) => props.uploads.filter((u) => u.state === s).length;
  return (
    <div className="card uploads" data-testid="upload-panel">
      <div className="browser-bar">
        <h2 style={{ margin: 0 }}>Uploads</h2>
        <span className="muted" data-testid="upload-overall-text">
          {formatBytes(sent)} of {formatBytes(total)}
          {active && speed > 0 ? ` · ${formatBytes(speed)}/s · ${formatDuration((total - sent) / speed)} left` : ''}
        </span>
        <span style={{ flex: 1 }} />
        {active ? (
          <button className="secondary" data-testid="upload-cancel-all" onClick={() => store.getState().cancelAll()}>Cancel all</button>
        ) : (
          <button className="secondary" data-testid="upload-clear" onClick={() => store.getState().clearUploads()}>Clear</button>
        )}
      </div>
      <div className="progress" data-testid="upload-overall" aria-valuenow={total ? Math.round((sent / total) * 100) : 100} role="progressbar">
        <div style={{ width: `${total ? (sent / total) * 100 : 100}%` }} />
      </div>
      {!active && (
        <p data-testid="upload-summary">
          {by('done')} uploaded · {by('skipped')} skipped · {by('cancelled')} cancelled · {by('failed')} failed
        </p>
      )}
      {props.uploads.map((u) => {
        const secs = u.startedAt ? ((u.finishedAt ?? now) - u.startedAt) / 1000 : 0;
        const sp = secs > 0 ? u.bytes / secs : 0;
        return (
          <div key={u.id} className="upload-row" data-testid="upload-row" data-state={u.state} data-key={u.key}>
            <span className="mono" title={u.key}>{u.key}</span>
            <div className="progress" role="progressbar" aria-valuenow={u.size ? Math.round((u.bytes / u.size) * 100) : 100}>
              <div style={{ width: `${u.size ? (u.bytes / u.size) * 100 : u.state === 'done' ? 100 : 0}%` }} />
            </div>
            <span className="muted">
              {u.state === 'running'
                ? `${formatBytes(sp)}/s · ${sp > 0 ? formatDuration((u.size - u.bytes) / sp) : '—'} left`
                : u.state === 'done'
                  ? `${formatBytes(u.size)} in ${secs < 1 ? '<1 s' : formatDuration(secs)}`
                  : u.error ?? (u.state === 'skipped' ? 'already there' : '')}
            </span>
            {u.state === 'running' || u.state === 'queued' ? (
              <button className="link" data-testid="upload-cancel" onClick={() => store.getState().cancelUpload(u.id)}>Cancel</button>
            ) : (
              <span data-testid="upload-state">{u.state}</span>
            )}
          </div>
        );
      })}
    </div>
  );
}

function ConflictDialog(props: Readonly<{ conflicts: string[]; onChoose: (c: ConflictChoice | null) => void }>) {
  return (
    <Modal
      wide
      title={`${props.conflicts.length} file(s) already exist`}
      onClose={() => props.onChoose(null)}
      testId="conflict-dialog"
      actions={
        <>
          <button className="secondary" onClick={() => props.onChoose(null)}>Cancel upload</button>
          <button className="secondary" data-testid="conflict-skip" onClick={() => props.onChoose('skip')}>Skip them</button>
          <button className="secondary" data-testid="conflict-keep-both" onClick={() => props.onChoose('keep-both')}>Keep both</button>
          <button className="danger" data-testid="conflict-replace" onClick={() => props.onChoose('replace')}>Replace</button>
        </>
      }
    >
      <ul className="list mono">
        {props.conflicts.slice(0, 10).map((k) => (
          <li key={k}>{k}</li>
        ))}
        {props.conflicts.length > 10 && <li>…and {props.conflicts.length - 10} more</li>}
      </ul>
      <p className="muted">“Keep both” uploads the new files as “name (1).ext”.</p>
    </Modal>
  );
}

function parseCsv(text: string, maxRows = 50): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < maxRows; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if ((cell || row.length) && rows.length < maxRows) rows.push([...row, cell]);
  return rows;
}

function PreviewDialog(props: Readonly<{ dsId: string; o: DatastoreObject; onClose: () => void }>) {
  const { api, uploader } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId)!;
  const [data, setData] = useState<{ base64: string; truncated: boolean } | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  useEffect(() => {
    void api.invoke('datastores:objects:preview', { workspaceId, datastoreId: props.dsId, key: props.o.key }).then((r) => (r.ok ? setData(r.value) : setError(r.error)));
  }, [api, workspaceId, props.dsId, props.o.key]);
  const type = props.o.contentType;
  const text = useMemo(() => {
    if (!data) return '';
    const bytes = Uint8Array.from(atob(data.base64), (c) => c.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  }, [data]);
  let body: React.ReactNode = <p className="muted">Loading…</p>;
  if (data) {
    if (type.startsWith('image/') && type !== 'image/svg+xml' && !data.truncated) body = <img alt={props.o.key} src={`data:${type};base64,${data.base64}`} />;
    else if (type === 'text/csv') {
      const rows = parseCsv(text);
      body = (
        <table className="table" data-testid="preview-csv">
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>{r.map((c, j) => (i === 0 ? <th key={j}>{c}</th> : <td key={j}>{c}</td>))}</tr>
            ))}
          </tbody>
        </table>
      );
    } else if (type.includes('json')) {
      let pretty = text;
      try {
        pretty = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // partial or invalid JSON: show as text
      }
      body = <pre data-testid="preview-text">{pretty}</pre>;
    } else if (type.startsWith('text/') || type.includes('xml') || type.includes('yaml')) body = <pre data-testid="preview-text">{text}</pre>;
    else body = <p className="muted">No preview for {type}. Download it to open it.</p>;
  }
  const dl = uploader.downloadUrl(workspaceId, props.dsId, props.o.key);
  return (
    <Modal
      wide
      title={props.o.key}
      onClose={props.onClose}
      testId="preview-dialog"
      actions={
        <>
          <SaveObject o={props.o} downloadUrl={dl} testId="preview-download" />
          <button onClick={props.onClose}>Close</button>
        </>
      }
    >
      <p className="muted mono">
        {type} · {formatBytes(props.o.size)} · SHA-256 {props.o.sha256.slice(0, 16)}… · uploaded by {props.o.uploadedBy}
      </p>
      <ErrorBanner error={error} />
      <div className="preview">{body}</div>
      {data?.truncated && <p className="muted">Showing the first 256 KiB.</p>}
    </Modal>
  );
}

function UploadUrlDialog(props: Readonly<{ dsId: string; prefix: string; onClose: () => void }>) {
  const { api } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId)!;
  const [key, setKey] = useState(props.prefix);
  const [contentType, setContentType] = useState('application/octet-stream');
  const [minutes, setMinutes] = useState('15');
  const [result, setResult] = useState<UploadUrl | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const curl = result
    ? `curl -X PUT "${result.url}" ${Object.entries(result.headers).map(([h, v]) => `-H "${h}: ${v}"`).join(' ')} --data-binary @file`
    : '';
  return (
    <Modal
      wide
      title="Get upload URL"
      onClose={props.onClose}
      testId="upload-url-dialog"
      actions={
        <>
          <button className="secondary" onClick={props.onClose}>Close</button>
          <button
            data-testid="upload-url-create"
            onClick={async () => {
              const r = await api.invoke('datastores:uploadUrl', { workspaceId, datastoreId: props.dsId, key, contentType, expiresIn: Math.max(1, Number(minutes)) * 60 });
              if (r.ok) {
                setResult(r.value);
                setError(null);
              } else setError(r.error);
            }}
          >
            Create URL
          </button>
        </>
      }
    >
      <div className="stack">
        <label>
          Key (exactly as workflows will read it)
          <input data-testid="upload-url-key" value={key} onChange={(e) => setKey(e.target.value)} />
        </label>
        <label>
          Content type
          <input data-testid="upload-url-type" value={contentType} onChange={(e) => setContentType(e.target.value)} />
        </label>
        <label>
          Valid for (minutes)
          <input type="number" min={1} max={10080} value={minutes} onChange={(e) => setMinutes(e.target.value)} />
        </label>
        <ErrorBanner error={error} />
        {result && (
          <div className="stack" data-testid="upload-url-result">
            <p className="muted">Anyone with this URL can upload to this key until {new Date(result.expiresAt).toLocaleString()}. PUT the file with these headers and no auth header:</p>
            <pre className="mono" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} data-testid="upload-url-value">{result.url}</pre>
            <pre className="mono" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{curl}</pre>
            <button className="secondary" onClick={() => void navigator.clipboard?.writeText(curl)}>Copy curl command</button>
          </div>
        )}
      </div>
    </Modal>
  );
}
