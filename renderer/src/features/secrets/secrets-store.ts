import { createStore } from 'zustand/vanilla';
import type { Api } from '@shared/ipc/api';
import type { Input } from '@shared/ipc/contract';
import type { IpcError } from '@shared/ipc/result';
import type { Secret, SecretDetail, SecretValue } from '@shared/domain/secret';
import { emptyList, firstPage, latestOnly, nextPage, type ListState } from '../../state/list-state';

/** How long a revealed value stays on screen, and a copied one in the clipboard. */
export const REVEAL_MS = 30_000;
const PAGE = 500;

export type Revealed = { id: string; text: string; version: number; hidesAt: number };

/** The part of the Clipboard API the store uses (declared here so the store also compiles for Node tests). */
export type ClipboardLike = { readText(): Promise<string>; writeText(text: string): Promise<void> };

export type SecretsDeps = {
  clipboard?: ClipboardLike;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  now?: () => number;
};

export type SecretsState = ListState<Secret> & {
  workspaceId?: string;
  search: string;
  loadingMore: boolean;
  selectedId?: string;
  detail?: SecretDetail;
  detailError?: IpcError;
  revealed?: Revealed;
  copied: boolean;
  /** When the copied value leaves the clipboard (epoch ms), for the countdown; null when nothing is pending. */
  clipboardClearsAt: number | null;
  load(workspaceId: string, search?: string): Promise<void>;
  loadMore(): Promise<void>;
  select(id: string | undefined): Promise<void>;
  /** A secret's name (metadata only), for links where it is referenced; null when it cannot be read. */
  nameOf(workspaceId: string, id: string): Promise<string | null>;
  /** The first secrets by name (id and name only), for choosing one as a connection's credential. */
  choices(workspaceId: string): Promise<Array<{ id: string; name: string }>>;
  refreshSelected(): Promise<void>;
  create(input: Omit<Input<'secrets:create'>, 'workspaceId'>): Promise<IpcError | null>;
  update(input: Omit<Input<'secrets:update'>, 'workspaceId'>): Promise<IpcError | null>;
  rotate(id: string, value?: SecretValue): Promise<IpcError | null>;
  rollback(id: string, version: number): Promise<IpcError | null>;
  remove(id: string, force: boolean): Promise<IpcError | null>;
  reveal(id: string): Promise<IpcError | null>;
  hide(): void;
  copy(): Promise<IpcError | null>;
  /**
   * Follows changes made elsewhere (another window, the REST API, a scheduled rotation): the open secret is
   * refreshed, and a list still on its first page reloaded (a scrolled list keeps its position).
   */
  listen(workspaceId: string): () => void;
};

/**
 * Secrets screen state: keyset pages appended as the virtual list scrolls, the selected secret's detail, and a
 * revealed value that hides itself after REVEAL_MS. A copied value is cleared from the clipboard after REVEAL_MS
 * if the clipboard still holds it.
 */
export const createSecretsStore = (api: Api, deps: SecretsDeps = {}) => {
  const setTimer = deps.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const now = deps.now ?? Date.now;
  const clipboard = (): ClipboardLike | undefined => deps.clipboard ?? (globalThis as { navigator?: { clipboard?: ClipboardLike } }).navigator?.clipboard;
  let hideTimer: unknown = null;
  const loads = latestOnly();
  const searchFilter = (search: string) => (search.trim() ? { search: search.trim() } : {});

  return createStore<SecretsState>()((set, get) => {
    const ws = () => get().workspaceId!;
    const after = async (r: { ok: boolean; error?: IpcError }, reloadList = true): Promise<IpcError | null> => {
      if (!r.ok) return r.error!;
      if (reloadList) await get().load(ws(), get().search);
      await get().refreshSelected();
      return null;
    };
    return {
      ...emptyList<Secret>(),
      search: '',
      loadingMore: false,
      copied: false,
      clipboardClearsAt: null,
      async load(workspaceId, search = get().search) {
        const current = loads.next();
        if (workspaceId !== get().workspaceId) get().hide();
        // Another search in the same workspace keeps the rows on screen until its answer (no "Loading…" flash).
        set({ status: get().items.length && workspaceId === get().workspaceId ? get().status : 'loading', workspaceId, search });
        const r = await api.invoke('secrets:list', { workspaceId, limit: PAGE, ...searchFilter(search) });
        if (current()) set(firstPage(r));
      },
      async loadMore() {
        const { workspaceId, nextCursor, search, loadingMore } = get();
        if (!workspaceId || !nextCursor || loadingMore) return;
        const current = loads.same();
        set({ loadingMore: true });
        const r = await api.invoke('secrets:list', { workspaceId, limit: PAGE, cursor: nextCursor, ...searchFilter(search) });
        set({ loadingMore: false, ...(current() ? nextPage(get().items, r) : {}) });
      },
      async select(id) {
        if (get().revealed && get().revealed!.id !== id) get().hide();
        set({ selectedId: id, detail: undefined, detailError: undefined });
        if (id) await get().refreshSelected();
      },
      async nameOf(workspaceId, id) {
        const r = await api.invoke('secrets:get', { workspaceId, id });
        return r.ok ? r.value.secret.name : null;
      },
      async choices(workspaceId) {
        const r = await api.invoke('secrets:list', { workspaceId, limit: 500 });
        return r.ok ? r.value.items.map((s) => ({ id: s.id, name: s.name })) : [];
      },
      async refreshSelected() {
        const id = get().selectedId;
        if (!id || !get().workspaceId) return;
        const r = await api.invoke('secrets:get', { workspaceId: ws(), id });
        if (get().selectedId !== id) return;
        set(r.ok ? { detail: r.value, detailError: undefined } : { detail: undefined, detailError: r.error });
      },
      async create(input) {
        const r = await api.invoke('secrets:create', { ...input, workspaceId: ws() } as Input<'secrets:create'>);
        const err = await after(r);
        if (r.ok) await get().select(r.value.id);
        return err;
      },
      async update(input) {
        return after(await api.invoke('secrets:update', { ...input, workspaceId: ws() }));
      },
      async rotate(id, value) {
        if (get().revealed?.id === id) get().hide();
        return after(await api.invoke('secrets:rotate', { workspaceId: ws(), id, ...(value === undefined ? {} : { value }) }));
      },
      async rollback(id, version) {
        if (get().revealed?.id === id) get().hide();
        return after(await api.invoke('secrets:rollback', { workspaceId: ws(), id, version }));
      },
      async remove(id, force) {
        const r = await api.invoke('secrets:delete', { workspaceId: ws(), id, force });
        if (!r.ok) return r.error;
        if (get().selectedId === id) await get().select(undefined);
        await get().load(ws(), get().search);
        return null;
      },
      async reveal(id) {
        get().hide();
        const r = await api.invoke('secrets:reveal', { workspaceId: ws(), id });
        if (!r.ok) return r.error;
        const text = typeof r.value.value === 'string' ? r.value.value : JSON.stringify(r.value.value, null, 2);
        set({ revealed: { id, text, version: r.value.version, hidesAt: now() + REVEAL_MS }, copied: false });
        hideTimer = setTimer(() => get().hide(), REVEAL_MS);
        await get().refreshSelected(); // last access is now this reveal
        return null;
      },
      hide() {
        if (hideTimer !== null) clearTimer(hideTimer);
        hideTimer = null;
        if (get().revealed) set({ revealed: undefined, copied: false });
      },
      async copy() {
        const text = get().revealed?.text;
        const cb = clipboard();
        if (!text || !cb) return { code: 'PRECONDITION_FAILED', message: 'reveal the value first; the clipboard is not available here' };
        try {
          await cb.writeText(text);
        } catch {
          return { code: 'PRECONDITION_FAILED', message: 'the clipboard refused the copy: click into the window and try again' };
        }
        const clearsAt = now() + REVEAL_MS;
        set({ copied: true, clipboardClearsAt: clearsAt });
        setTimer(() => {
          void clearClipboard(cb, text);
          // A later copy has its own countdown.
          if (get().clipboardClearsAt === clearsAt) set({ clipboardClearsAt: null });
        }, REVEAL_MS);
        return null;
      },
      listen(workspaceId) {
        return api.on('secrets:changed', (p) => {
          const s = get();
          if (p.workspaceId !== workspaceId) return;
          if (s.selectedId === p.id) void s.refreshSelected();
          if (!s.nextCursor) void s.load(p.workspaceId);
        });
      },
    };
  });
};

/**
 * Clears the clipboard if it still holds `text` (something the admin copied since is left alone). Where the
 * clipboard cannot be read back (a browser without the permission), it is cleared anyway: leaving a credential
 * there is the worse outcome.
 */
export async function clearClipboard(cb: ClipboardLike, text: string): Promise<void> {
  let current: string | null = null;
  try {
    current = await cb.readText();
  } catch {
    current = null;
  }
  if (current === null || current === text) await cb.writeText('').catch(() => undefined);
}
export type SecretsStore = ReturnType<typeof createSecretsStore>;
