import { createStore } from 'zustand/vanilla';
import type { Api } from '@shared/ipc/api';
import type { Input } from '@shared/ipc/contract';
import type { IpcError } from '@shared/ipc/result';
import type {
  Connection,
  ConnectionDetail,
  ConnectionStatus,
  ConnectionSummary,
  ConnectionTestResult,
  Provider,
} from '@shared/domain/connection';

export type ConnectionFilters = { provider?: Provider; status?: ConnectionStatus; q?: string };
type Draft = Omit<Input<'connections:create'>, 'workspaceId'>;
type Patch = Omit<Input<'connections:update'>, 'workspaceId' | 'id'>;

export type ConnectionsState = {
  workspaceId?: string;
  filters: ConnectionFilters;
  items: ConnectionSummary[];
  nextCursor: string | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error?: IpcError;
  /** The open detail record (writers only: reading it is audited as connection.accessed). */
  selected: ConnectionDetail | null;
  selectedError?: IpcError;
  /** A test in flight, by connection id (or 'draft'). */
  testing: Record<string, boolean>;
  load(workspaceId: string, filters?: ConnectionFilters): Promise<void>;
  loadMore(): Promise<void>;
  open(id: string): Promise<void>;
  close(): void;
  create(draft: Draft): Promise<{ ok: true; value: Connection } | { ok: false; error: IpcError }>;
  testDraft(draft: Omit<Input<'connections:test-draft'>, 'workspaceId'>): Promise<{ ok: true; value: ConnectionTestResult } | { ok: false; error: IpcError }>;
  update(id: string, patch: Patch): Promise<IpcError | null>;
  test(id: string): Promise<{ ok: true; value: ConnectionTestResult } | { ok: false; error: IpcError }>;
  remove(id: string, force: boolean): Promise<IpcError | null>;
  /** A push said something changed: refresh what is on screen. */
  refresh(id?: string): Promise<void>;
};

const clean = (f: ConnectionFilters): ConnectionFilters =>
  Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== '')) as ConnectionFilters;

/** Connections: filtered list with keyset paging, the open detail record, and the actions of the screen. */
export const createConnectionsStore = (api: Api) =>
  createStore<ConnectionsState>()((set, get) => {
    const ws = () => {
      const id = get().workspaceId;
      if (!id) throw new Error('connections store used before load()');
      return id;
    };
    const reloadDetail = async (id: string) => {
      if (get().selected?.id !== id) return;
      const r = await api.invoke('connections:get', { workspaceId: ws(), id });
      if (get().selected?.id !== id) return;
      set(r.ok ? { selected: r.value, selectedError: undefined } : { selected: null, selectedError: r.error });
    };
    return {
      filters: {},
      items: [],
      nextCursor: null,
      status: 'idle',
      selected: null,
      testing: {},
      async load(workspaceId, filters = get().filters) {
        const changedWs = workspaceId !== get().workspaceId;
        set({ status: 'loading', workspaceId, filters, ...(changedWs ? { selected: null } : {}) });
        const r = await api.invoke('connections:list', { workspaceId, ...clean(filters), limit: 100 });
        if (get().workspaceId !== workspaceId || get().filters !== filters) return; // a newer load won
        set(r.ok ? { items: r.value.items, nextCursor: r.value.nextCursor, status: 'ready', error: undefined } : { status: 'error', error: r.error, items: [] });
      },
      async loadMore() {
        const { workspaceId, filters, nextCursor } = get();
        if (!workspaceId || !nextCursor) return;
        const r = await api.invoke('connections:list', { workspaceId, ...clean(filters), limit: 100, cursor: nextCursor });
        if (r.ok) set({ items: [...get().items, ...r.value.items], nextCursor: r.value.nextCursor });
        else set({ error: r.error });
      },
      async open(id) {
        set({ selected: null, selectedError: undefined });
        const r = await api.invoke('connections:get', { workspaceId: ws(), id });
        set(r.ok ? { selected: r.value } : { selectedError: r.error });
      },
      close() {
        set({ selected: null, selectedError: undefined });
      },
      async create(draft) {
        const r = await api.invoke('connections:create', { ...draft, workspaceId: ws() });
        if (r.ok) await get().load(ws());
        return r;
      },
      async testDraft(draft) {
        set({ testing: { ...get().testing, draft: true } });
        const r = await api.invoke('connections:test-draft', { ...draft, workspaceId: ws() });
        set({ testing: { ...get().testing, draft: false } });
        return r;
      },
      async update(id, patch) {
        const r = await api.invoke('connections:update', { ...patch, workspaceId: ws(), id });
        if (!r.ok) return r.error;
        await Promise.all([get().load(ws()), reloadDetail(id)]);
        return null;
      },
      async test(id) {
        set({ testing: { ...get().testing, [id]: true } });
        const r = await api.invoke('connections:test', { workspaceId: ws(), id });
        set({ testing: { ...get().testing, [id]: false } });
        await Promise.all([get().load(ws()), reloadDetail(id)]);
        return r;
      },
      async remove(id, force) {
        const r = await api.invoke('connections:delete', { workspaceId: ws(), id, force });
        if (!r.ok) return r.error;
        if (get().selected?.id === id) set({ selected: null });
        await get().load(ws());
        return null;
      },
      async refresh(id) {
        const { workspaceId } = get();
        if (!workspaceId) return;
        await get().load(workspaceId);
        if (id) await reloadDetail(id);
      },
    };
  });
export type ConnectionsStore = ReturnType<typeof createConnectionsStore>;
