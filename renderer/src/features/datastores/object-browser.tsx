import { Check, Folder, X } from 'lucide-react';
import { useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Datastore, DatastoreObject } from '@shared/domain/datastore';
import { useApp, useDatastores } from '../../app-context';
import { EmptyState, ErrorBanner } from '../../components/ui';
import { ConfirmDialog } from '../../components/dialog';
import { formatBytes } from '../../components/format';
import type { DroppedFile } from './datastores-store';
import { collectDropped } from './drop-files';
import { ConflictDialog } from './conflict-dialog';
import { ObjectPreviewDialog } from './object-preview-dialog';
import { ObjectRow } from './object-row';
import { UploadPanel } from './upload-panel';
import { UploadUrlDialog } from './upload-url-dialog';
import { Form } from '../../components/form';

type Row = { kind: 'folder'; prefix: string } | { kind: 'object'; object: DatastoreObject };
const ROW_HEIGHT = 36;

/** The selected datastore's objects: folders by key prefix, a virtual list paged as it scrolls, drop to upload. */
export function ObjectBrowser(props: Readonly<{ ds: Datastore; canWrite: boolean; onDelete?: () => void; onReattach?: () => void }>) {
  const { datastores: store } = useApp();
  const { items, prefixes, prefix, search, nextCursor, browseStatus, browseError, uploads } = useDatastores((s) => s);
  // The upload queue belongs to its datastore: another datastore's uploads are shown in that one's view.
  const ownUploads = useMemo(() => uploads.filter((u) => u.datastoreId === props.ds.id), [uploads, props.ds.id]);
  const [over, setOver] = useState(false);
  const [pending, setPending] = useState<{ files: DroppedFile[]; conflicts: string[] } | null>(null);
  const [preview, setPreview] = useState<DatastoreObject | null>(null);
  const [toDelete, setToDelete] = useState<DatastoreObject | null>(null);
  const [urlDialog, setUrlDialog] = useState(false);
  const [testResult, setTestResult] = useState<{ ok: boolean; message: string } | null>(null);
  const [testing, setTesting] = useState(false);
  const runTest = async () => {
    setTesting(true);
    setTestResult(null);
    setTestResult(await store.getState().test(props.ds.id));
    setTesting(false);
  };
  const [notice, setNotice] = useState<string | null>(null);
  const [searchDraft, setSearchDraft] = useState(search);
  const scrollRef = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const rows: Row[] = useMemo(
    () => [...prefixes.map((p): Row => ({ kind: 'folder', prefix: p })), ...items.map((o): Row => ({ kind: 'object', object: o }))],
    [items, prefixes],
  );
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const vItems = virtual.getVirtualItems();
  const lastIndex = vItems.length > 0 ? vItems[vItems.length - 1]!.index : -1;
  useEffect(() => {
    if (nextCursor && lastIndex >= rows.length - 20) void store.getState().loadMore();
  }, [lastIndex, rows.length, nextCursor, store]);

  /** Uploads what was dropped or picked; keys that exist already ask first (replace, keep both, skip). */
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
        {props.canWrite && (
          <>
            {/* The check writes a probe object: the same permission as writing to the datastore. */}
            <button className="secondary" data-testid="datastore-test" disabled={testing} onClick={() => void runTest()}>
              {testing ? 'Testing…' : props.ds.backend.type === 's3' ? 'Test bucket' : 'Test backend'}
            </button>
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
        {props.onReattach && props.ds.backend.type === 'filesystem' && (
          <button className="secondary" data-testid="datastore-reattach" onClick={props.onReattach}>
            Re-attach folder…
          </button>
        )}
        {props.onDelete && (
          <button className="danger" data-testid="datastore-delete" onClick={props.onDelete}>
            Delete datastore
          </button>
        )}
      </div>
      {props.ds.problem && (
        <div className="error-banner" role="alert" data-testid="datastore-problem">
          {props.ds.problem}
        </div>
      )}
      {testResult && (
        <p data-testid="datastore-test-result" className={testResult.ok ? 'ok-text' : 'danger-text'}>
          {testResult.ok ? <Check size={14} aria-hidden className="icon-inline" /> : <X size={14} aria-hidden className="icon-inline" />}
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
        <Form
          className="filters"
          onSubmit={() => {
            void store.getState().browse(prefix, searchDraft);
          }}
        >
          <input data-testid="object-search" placeholder="Key starts with…" value={searchDraft} onChange={(e) => setSearchDraft(e.target.value)} />
          <button type="submit" className="secondary">Search</button>
        </Form>
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
                          <Folder size={14} aria-hidden className="icon-inline" />
                          {row.prefix.slice(prefix.length)}
                        </button>
                        <span />
                        <span />
                        <span />
                      </>
                    ) : (
                      <ObjectRow o={row.object} prefix={prefix} canWrite={props.canWrite} onPreview={() => setPreview(row.object)} onDelete={() => setToDelete(row.object)} />
                    )}
                  </div>
                );
              })}
            </div>
          </div>
        )}
        {nextCursor && <p className="muted">Scroll to load more…</p>}
      </div>
      {ownUploads.length > 0 && <UploadPanel datastoreId={props.ds.id} uploads={ownUploads} />}
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
      {preview && <ObjectPreviewDialog o={preview} onClose={() => setPreview(null)} />}
      {toDelete && (
        <ConfirmDialog
          wide
          title="Delete object?"
          confirmLabel="Delete"
          onCancel={() => setToDelete(null)}
          onConfirm={async () => {
            const err = await store.getState().deleteObject(toDelete.key);
            setToDelete(null);
            setNotice(err ? err.message : `Deleted ${toDelete.key}`);
          }}
          testId="object-delete-dialog"
          confirmTestId="object-delete-confirm"
        >
          <p>
            <span className="mono">{toDelete.key}</span> ({formatBytes(toDelete.size)}) will be deleted. Workflow steps that read this key will fail.
          </p>
        </ConfirmDialog>
      )}
      {urlDialog && <UploadUrlDialog prefix={prefix} onClose={() => setUrlDialog(false)} />}
    </div>
  );
}
