import { createStore } from 'zustand/vanilla';
import type { Api } from '@shared/ipc/api';
import type { Input, Output } from '@shared/ipc/contract';
import type { IpcError, IpcResult } from '@shared/ipc/result';
import type { BackendInput, Datastore, DatastoreObject, UploadUrl } from '@shared/domain/datastore';
import type { Uploader } from '../../api/uploader';
import { settle, type LoadStatus } from '../../state/list-state';

export type UploadState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'skipped';
export type UploadItem = {
  id: string;
  /** The datastore it goes to, fixed when it is queued: its panel is shown in that datastore's view only. */
  workspaceId: string;
  datastoreId: string;
  key: string;
  size: number;
  bytes: number;
  state: UploadState;
  error?: string;
  startedAt?: number;
  finishedAt?: number;
};
export type ConflictChoice = 'replace' | 'keep-both' | 'skip';
export type DroppedFile = { file: File; relPath: string };

type Usage = { bytesUsed: number; objectCount: number };

export type DatastoresState = {
  workspaceId?: string;
  datastores: Datastore[];
  usage?: Usage;
  status: LoadStatus;
  error?: IpcError;
  /** What the last delete left untouched, and why (its folder did not carry the datastore's mark). */
  notice?: string;
  selectedId?: string;
  prefix: string;
  search: string;
  items: DatastoreObject[];
  prefixes: string[];
  nextCursor: string | null;
  browseStatus: LoadStatus;
  browseError?: IpcError;
  uploads: UploadItem[];
  batchStartedAt?: number;
  load(workspaceId: string): Promise<void>;
  create(input: { name: string; description?: string; backend?: BackendInput }): Promise<IpcError | null>;
  remove(id: string, force: boolean): Promise<IpcError | null>;
  /** Admin: the datastore's folder is its own again (after a restore); its mark is rewritten. */
  reattach(id: string): Promise<IpcError | null>;
  test(id: string): Promise<{ ok: boolean; message: string }>;
  select(id: string | undefined): void;
  /**
   * What references the selected datastore (workflow steps), from its detail record. Null while unknown, or when the
   * core does not report references for datastores.
   */
  usedBy: { datastoreId: string; referrers: Array<{ type: string; id: string; name: string | null }> } | null;
  loadUsedBy(id: string): Promise<void>;
  browse(prefix: string, search?: string): Promise<void>;
  loadMore(): Promise<void>;
  deleteObject(key: string): Promise<IpcError | null>;
  /** Desktop: the OS save dialog, then the core writes the file. Null when the admin cancelled. */
  saveObjectAs(key: string): Promise<{ path: string } | IpcError | null>;
  findConflicts(keys: string[]): Promise<string[]>;
  startUploads(files: DroppedFile[], prefix: string, choice: ConflictChoice, conflicts: string[]): Promise<void>;
  cancelUpload(id: string): void;
  /** Sends a failed upload again (the file is kept until it is done, cancelled or cleared). */
  retryUpload(id: string): Promise<void>;
  /** Cancels the running and queued uploads of one datastore. */
  cancelAll(datastoreId: string): void;
  /** Clears the finished uploads of one datastore from its panel. */
  clearUploads(datastoreId: string): void;
  /** The first bytes of an object of the selected datastore, for the preview dialog. */
  preview(key: string): Promise<IpcResult<Output<'datastores:objects:preview'>>>;
  /** A signed URL that lets a script PUT one object into the selected datastore without credentials. */
  createUploadUrl(input: Omit<Input<'datastores:uploadUrl'>, 'workspaceId' | 'datastoreId'>): Promise<IpcResult<UploadUrl>>;
  /** Whether the shell downloads through a link (the console); otherwise "Save as…" (saveObjectAs). */
  canLinkDownloads: boolean;
  /** The console: a one-use URL that downloads the object (a ticket is asked for first; it works for a minute). */
  downloadUrl(key: string): Promise<IpcResult<string>>;
  /** Reloads the list when another window or the REST API changes a datastore (not while uploads run). */
  listen(workspaceId: string): () => void;
};

const PAGE = 500;
const PARALLEL = 3;

/** "a/b.txt" → "a/b (1).txt": the first free name for "keep both". */
export function keepBothKey(key: string, n: number): string {
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  return dot > slash + 1 ? `${key.slice(0, dot)} (${n})${key.slice(dot)}` : `${key} (${n})`;
}

/** Datastores, the object browser of the selected one, and the upload queue. */
export const createDatastoresStore = (api: Api, uploader: Uploader) =>
  createStore<DatastoresState>()((set, get) => {
    const running = new Map<string, () => void>();
    /** The file of each upload not yet done, so a failed one can be retried without picking it again. */
    const files = new Map<string, File>();
    let seq = 0;

    const patch = (id: string, p: Partial<UploadItem>) => set({ uploads: get().uploads.map((u) => (u.id === id ? { ...u, ...p } : u)) });
    /** The selected datastore as the object channels address it, or null before a load and a selection. */
    const selectedRef = () => {
      const { workspaceId, selectedId } = get();
      return workspaceId && selectedId ? { workspaceId, datastoreId: selectedId } : null;
    };
    const notSelected: IpcResult<never> = { ok: false, error: { code: 'PRECONDITION_FAILED', message: 'choose a datastore first' } };

    async function refreshList() {
      const ws = get().workspaceId;
      if (!ws) return;
      const [l, u] = await Promise.all([api.invoke('datastores:list', { workspaceId: ws, limit: 500 }), api.invoke('datastores:usage', { workspaceId: ws })]);
      if (get().workspaceId !== ws) return;
      if (!l.ok) return set({ status: 'error', error: l.error });
      set({ datastores: l.value.items, usage: u.ok ? u.value : undefined, status: 'ready', error: undefined });
    }

    /** Uploads one file to the datastore it was queued for (not whichever is selected by the time it starts). */
    async function runOne(item: UploadItem, file: File) {
      patch(item.id, { state: 'running', bytes: 0, error: undefined, startedAt: Date.now(), finishedAt: undefined });
      const r = uploader.upload(file, { workspaceId: item.workspaceId, datastoreId: item.datastoreId, key: item.key, uploadId: item.id }, (bytes) =>
        patch(item.id, { bytes }),
      );
      running.set(item.id, r.cancel);
      const out = await r.done;
      running.delete(item.id);
      if (out.ok) files.delete(item.id);
      if (out.ok) patch(item.id, { state: 'done', bytes: item.size, finishedAt: Date.now() });
      else if (out.cancelled) {
        files.delete(item.id);
        patch(item.id, { state: 'cancelled', finishedAt: Date.now() });
      } else patch(item.id, { state: 'failed', error: out.error.message, finishedAt: Date.now() });
    }

    /** After uploads: the usage figures, and the listing if that datastore is still the one on screen. */
    async function afterUploads(datastoreId: string) {
      await refreshList();
      if (get().selectedId === datastoreId) await get().browse(get().prefix, get().search);
    }

    return {
      datastores: [],
      status: 'idle',
      prefix: '',
      search: '',
      items: [],
      prefixes: [],
      nextCursor: null,
      browseStatus: 'idle',
      uploads: [],
      usedBy: null,
      async load(workspaceId) {
        set({ workspaceId, status: 'loading' });
        await refreshList();
        const { selectedId, datastores } = get();
        if (selectedId && !datastores.some((d) => d.id === selectedId)) set({ selectedId: undefined, items: [], prefixes: [] });
      },
      async create(input) {
        const ws = get().workspaceId;
        if (!ws) return null;
        return settle(await api.invoke('datastores:create', { workspaceId: ws, ...input }), async (created) => {
          await refreshList();
          get().select(created.id);
        });
      },
      async remove(id, force) {
        const ws = get().workspaceId;
        if (!ws) return null;
        return settle(await api.invoke('datastores:delete', { workspaceId: ws, datastoreId: id, force }), (r) => {
          set({ notice: r.problem });
          if (get().selectedId === id) set({ selectedId: undefined, items: [], prefixes: [] });
          return refreshList();
        });
      },
      async reattach(id) {
        const ws = get().workspaceId;
        if (!ws) return null;
        return settle(await api.invoke('datastores:reattach', { workspaceId: ws, datastoreId: id }), async () => {
          await refreshList();
          if (get().selectedId === id) await get().browse('');
        });
      },
      async test(id) {
        const ws = get().workspaceId!;
        const r = await api.invoke('datastores:test', { workspaceId: ws, datastoreId: id });
        return r.ok ? r.value : { ok: false, message: r.error.message };
      },
      select(id) {
        set({ selectedId: id, prefix: '', search: '', items: [], prefixes: [], nextCursor: null, usedBy: null });
        if (id) void get().browse('');
        if (id) void get().loadUsedBy(id);
      },
      async loadUsedBy(id) {
        const { workspaceId } = get();
        if (!workspaceId) return;
        const r = await api.invoke('datastores:get', { workspaceId, datastoreId: id });
        if (get().selectedId !== id) return;
        // Read defensively: the detail record may not carry `referencedBy` (older cores).
        const refs = r.ok ? (r.value as { referencedBy?: unknown }).referencedBy : undefined;
        set({ usedBy: Array.isArray(refs) ? { datastoreId: id, referrers: refs as Array<{ type: string; id: string; name: string | null }> } : null });
      },
      async browse(prefix, search = '') {
        const { workspaceId, selectedId } = get();
        if (!workspaceId || !selectedId) return;
        set({ prefix, search, browseStatus: 'loading' });
        const r = await api.invoke('datastores:objects:list', { workspaceId, datastoreId: selectedId, prefix: prefix + search, delimiter: '/', limit: PAGE });
        if (get().prefix !== prefix || get().search !== search || get().selectedId !== selectedId) return;
        if (!r.ok) return set({ browseStatus: 'error', browseError: r.error });
        set({ items: r.value.items, prefixes: r.value.prefixes, nextCursor: r.value.nextCursor, browseStatus: 'ready', browseError: undefined });
      },
      async loadMore() {
        const { workspaceId, selectedId, nextCursor, prefix, search, browseStatus } = get();
        if (!workspaceId || !selectedId || !nextCursor || browseStatus === 'loading') return;
        set({ browseStatus: 'loading' });
        const r = await api.invoke('datastores:objects:list', { workspaceId, datastoreId: selectedId, prefix: prefix + search, delimiter: '/', limit: PAGE, cursor: nextCursor });
        if (!r.ok) return set({ browseStatus: 'error', browseError: r.error });
        set({ items: [...get().items, ...r.value.items], prefixes: [...get().prefixes, ...r.value.prefixes], nextCursor: r.value.nextCursor, browseStatus: 'ready' });
      },
      async deleteObject(key) {
        const ref = selectedRef();
        if (!ref) return null;
        return settle(await api.invoke('datastores:objects:delete', { ...ref, key }), () => {
          set({ items: get().items.filter((i) => i.key !== key) });
          void refreshList();
        });
      },
      async saveObjectAs(key) {
        const ref = selectedRef();
        if (!ref) return null;
        const r = await api.invoke('datastores:objects:saveAs', { ...ref, key });
        if (!r.ok) return r.error;
        return r.value.saved && r.value.path ? { path: r.value.path } : null;
      },
      async findConflicts(keys) {
        const ref = selectedRef();
        if (!ref) return [];
        const found: string[] = [];
        for (let i = 0; i < keys.length; i += 8) {
          const batch = keys.slice(i, i + 8);
          const rs = await Promise.all(batch.map((key) => api.invoke('datastores:objects:head', { ...ref, key })));
          rs.forEach((r, j) => r.ok && found.push(batch[j]!));
        }
        return found;
      },
      async startUploads(dropped, prefix, choice, conflicts) {
        const ref = selectedRef();
        if (!ref) return;
        const taken = new Set(conflicts);
        const plan: Array<{ item: UploadItem; file: File }> = [];
        for (const f of dropped) {
          let key = prefix + f.relPath;
          let state: UploadState = 'queued';
          if (taken.has(key)) {
            if (choice === 'skip') state = 'skipped';
            if (choice === 'keep-both') {
              let n = 1;
              while (taken.has(keepBothKey(key, n)) || (await get().findConflicts([keepBothKey(key, n)])).length > 0) n += 1;
              key = keepBothKey(key, n);
            }
          }
          taken.add(key);
          seq += 1;
          const item: UploadItem = { id: `up-${Date.now().toString(36)}-${seq}`, ...ref, key, size: f.file.size, bytes: 0, state };
          if (state === 'queued') files.set(item.id, f.file);
          plan.push({ item, file: f.file });
        }
        set({ uploads: [...get().uploads, ...plan.map((p) => p.item)], batchStartedAt: get().batchStartedAt ?? Date.now() });
        const queue = plan.filter((p) => p.item.state === 'queued');
        const worker = async () => {
          for (let next = queue.shift(); next; next = queue.shift()) {
            if (get().uploads.find((u) => u.id === next!.item.id)?.state !== 'queued') continue;
            await runOne(next.item, next.file);
          }
        };
        await Promise.all(Array.from({ length: PARALLEL }, worker));
        await afterUploads(ref.datastoreId);
      },
      cancelUpload(id) {
        const u = get().uploads.find((x) => x.id === id);
        if (u?.state === 'queued') {
          files.delete(id);
          patch(id, { state: 'cancelled', finishedAt: Date.now() });
        }
        running.get(id)?.();
      },
      async retryUpload(id) {
        const u = get().uploads.find((x) => x.id === id);
        const file = files.get(id);
        if (u?.state !== 'failed' || !file) return;
        await runOne(u, file);
        await afterUploads(u.datastoreId);
      },
      cancelAll(datastoreId) {
        for (const u of get().uploads) if (u.datastoreId === datastoreId && (u.state === 'queued' || u.state === 'running')) get().cancelUpload(u.id);
      },
      clearUploads(datastoreId) {
        const keep = (u: UploadItem) => u.datastoreId !== datastoreId || u.state === 'queued' || u.state === 'running';
        for (const u of get().uploads) if (!keep(u)) files.delete(u.id);
        const uploads = get().uploads.filter(keep);
        set({ uploads, ...(uploads.length === 0 ? { batchStartedAt: undefined } : {}) });
      },
      async preview(key) {
        const ref = selectedRef();
        return ref ? api.invoke('datastores:objects:preview', { ...ref, key }) : notSelected;
      },
      async createUploadUrl(input) {
        const ref = selectedRef();
        return ref ? api.invoke('datastores:uploadUrl', { ...ref, ...input }) : notSelected;
      },
      canLinkDownloads: uploader.downloadUrl !== undefined,
      async downloadUrl(key) {
        const ref = selectedRef();
        if (!ref) return notSelected;
        if (!uploader.downloadUrl) return { ok: false, error: { code: 'PRECONDITION_FAILED', message: 'this app saves objects with Save as…' } };
        return uploader.downloadUrl(ref.workspaceId, ref.datastoreId, key);
      },
      listen(workspaceId) {
        const offDatastores = api.on('datastores:changed', (p) => {
          if (p.workspaceId === workspaceId && get().uploads.every((u) => u.state !== 'running')) void get().load(p.workspaceId);
        });
        // A workflow saved or deleted elsewhere changes what uses the open datastore.
        const offWorkflows = api.on('workflows:changed', (p) => {
          const id = get().selectedId;
          if (p.workspaceId === workspaceId && id) void get().loadUsedBy(id);
        });
        return () => {
          offDatastores();
          offWorkflows();
        };
      },
    };
  });
export type DatastoresStore = ReturnType<typeof createDatastoresStore>;
