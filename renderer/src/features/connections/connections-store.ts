import { createStore } from 'zustand/vanilla';
import type { Api } from '@shared/ipc/api';
import type { Input } from '@shared/ipc/contract';
import type { IpcError, IpcResult } from '@shared/ipc/result';
import type {
  Connection,
  ConnectionDetail,
  ConnectionStatus,
  ConnectionSummary,
  ConnectionTestResult,
  Provider,
} from '@shared/domain/connection';
import { emptyList, filteredListActions, requireWorkspace, settle, withoutBlanks, type FilteredListState } from '../../state/list-state';

export type ConnectionFilters = { provider?: Provider; status?: ConnectionStatus; q?: string };
type Draft = Omit<Input<'connections:create'>, 'workspaceId'>;
type Patch = Omit<Input<'connections:update'>, 'workspaceId' | 'id'>;

export type ConnectionsState = FilteredListState<ConnectionSummary, ConnectionFilters> & {
  /**
   * The row the admin selected: shown from the list's fields only. Selecting never reads the detail record (that
   * is audited as connection.accessed, high risk); `open` does, once per opening.
   */
  selectedId: string | null;
  /** The open detail record (writers only: reading it is audited as connection.accessed). */
  selected: ConnectionDetail | null;
  selectedError?: IpcError;
  /** A test in flight, by connection id (or 'draft'). */
  testing: Record<string, boolean>;
  load(workspaceId: string, filters?: ConnectionFilters): Promise<void>;
  loadMore(): Promise<void>;
  /** Selects a row (or none) without reading its detail record; closes a detail that is open. */
  select(id: string | null): void;
  /** Opens the detail record of `id` (and selects it): one connection.accessed per call, none for its reloads. */
  open(id: string): Promise<void>;
  /** Closes the detail; the row stays selected. */
  close(): void;
  create(draft: Draft): Promise<IpcResult<Connection>>;
  testDraft(draft: Omit<Input<'connections:testDraft'>, 'workspaceId'>): Promise<IpcResult<ConnectionTestResult>>;
  update(id: string, patch: Patch): Promise<IpcError | null>;
  test(id: string): Promise<IpcResult<ConnectionTestResult>>;
  remove(id: string, force: boolean): Promise<IpcError | null>;
  /** A push said something changed: refresh what is on screen. */
  refresh(id?: string): Promise<void>;
  /**
   * Refreshes the list when another window or the REST API changes a connection, and the open detail when it is the
   * one that changed (a reload of the same opening: no new connection.accessed).
   */
  listen(workspaceId: string): () => void;
};

const PAGE = 100;

/** Connections: filtered list with keyset paging, the open detail record, and the actions of the screen. */
export const createConnectionsStore = (api: Api) =>
  createStore<ConnectionsState>()((set, get) => {
    const list = filteredListActions<ConnectionSummary, ConnectionFilters>(set, get, (workspaceId, filters, cursor) =>
      api.invoke('connections:list', { workspaceId, ...withoutBlanks(filters), limit: PAGE, ...(cursor ? { cursor } : {}) }),
    );
    const ws = () => requireWorkspace(get().workspaceId, 'connections');
    /**
     * The current opening of the detail view: made by `open`, sent again by every reload of that opening, so the core
     * records one connection.accessed per opening (a test, a save or a push re-reads the record without a new row).
     */
    let opening: { id: string; openingId: string } | null = null;
    const reloadDetail = async (id: string) => {
      if (get().selected?.id !== id || opening?.id !== id) return;
      const r = await api.invoke('connections:get', { workspaceId: ws(), id, openingId: opening.openingId });
      if (get().selected?.id !== id) return;
      set(r.ok ? { selected: r.value, selectedError: undefined } : { selected: null, selectedError: r.error });
    };
    /** Marks a test in flight under `key` while `call` runs. */
    const testing = async <T>(key: string, call: () => Promise<T>): Promise<T> => {
      set({ testing: { ...get().testing, [key]: true } });
      try {
        return await call();
      } finally {
        set({ testing: { ...get().testing, [key]: false } });
      }
    };
    return {
      ...emptyList<ConnectionSummary>(),
      filters: {},
      selectedId: null,
      selected: null,
      testing: {},
      async load(workspaceId, filters) {
        // Another workspace's detail record must not stay open beside this one's list.
        if (workspaceId !== get().workspaceId) {
          opening = null;
          set({ selected: null, selectedId: null });
        }
        await list.load(workspaceId, filters);
      },
      loadMore: list.loadMore,
      select(id) {
        opening = null;
        set({ selectedId: id, selected: null, selectedError: undefined });
      },
      async open(id) {
        const current = { id, openingId: crypto.randomUUID() };
        opening = current;
        set({ selectedId: id, selected: null, selectedError: undefined });
        const r = await api.invoke('connections:get', { workspaceId: ws(), id, openingId: current.openingId });
        // A later open (or a close) while this read was in flight wins.
        if (opening !== current) return;
        set(r.ok ? { selected: r.value } : { selectedError: r.error });
      },
      close() {
        opening = null;
        set({ selected: null, selectedError: undefined });
      },
      async create(draft) {
        const r = await api.invoke('connections:create', { ...draft, workspaceId: ws() });
        if (r.ok) await get().load(ws());
        return r;
      },
      testDraft(draft) {
        return testing('draft', () => api.invoke('connections:testDraft', { ...draft, workspaceId: ws() }));
      },
      async update(id, patch) {
        return settle(await api.invoke('connections:update', { ...patch, workspaceId: ws(), id }), () => Promise.all([get().load(ws()), reloadDetail(id)]));
      },
      async test(id) {
        const r = await testing(id, () => api.invoke('connections:test', { workspaceId: ws(), id }));
        await Promise.all([get().load(ws()), reloadDetail(id)]);
        return r;
      },
      async remove(id, force) {
        return settle(await api.invoke('connections:delete', { workspaceId: ws(), id, force }), () => {
          if (get().selected?.id === id) {
            opening = null;
            set({ selected: null });
          }
          if (get().selectedId === id) set({ selectedId: null });
          return get().load(ws());
        });
      },
      async refresh(id) {
        const { workspaceId } = get();
        if (!workspaceId) return;
        await get().load(workspaceId);
        if (id) await reloadDetail(id);
      },
      listen(workspaceId) {
        return api.on('connections:changed', (p) => {
          if (p.workspaceId === workspaceId) void get().refresh(get().selected?.id === p.id ? p.id : undefined);
        });
      },
    };
  });
export type ConnectionsStore = ReturnType<typeof createConnectionsStore>;
