import { createStore } from 'zustand/vanilla';
import type { Api } from '@shared/ipc/api';
import type { IpcError } from '@shared/ipc/result';
import type { AuditAction, AuditEvent, Risk } from '@shared/domain/audit';

export type AuditFilters = { action?: AuditAction; risk?: Risk; actor?: string; from?: string; to?: string };

export type AuditState = {
  workspaceId?: string;
  filters: AuditFilters;
  items: AuditEvent[];
  nextCursor: string | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error?: IpcError;
  load(workspaceId: string, filters?: AuditFilters): Promise<void>;
  loadMore(): Promise<void>;
};

/** Audit log: filters + keyset pagination ("Load more" appends the next page). */
export const createAuditStore = (api: Api) =>
  createStore<AuditState>()((set, get) => ({
    filters: {},
    items: [],
    nextCursor: null,
    status: 'idle',
    async load(workspaceId, filters = get().filters) {
      set({ status: 'loading', workspaceId, filters });
      const r = await api.invoke('audit:list', { workspaceId, ...clean(filters), limit: 50 });
      if (get().workspaceId !== workspaceId) return; // a newer load won
      set(r.ok ? { items: r.value.items, nextCursor: r.value.nextCursor, status: 'ready', error: undefined } : { status: 'error', error: r.error, items: [] });
    },
    async loadMore() {
      const { workspaceId, filters, nextCursor } = get();
      if (!workspaceId || !nextCursor) return;
      const r = await api.invoke('audit:list', { workspaceId, ...clean(filters), limit: 50, cursor: nextCursor });
      if (r.ok) set({ items: [...get().items, ...r.value.items], nextCursor: r.value.nextCursor });
      else set({ error: r.error });
    },
  }));

function clean(f: AuditFilters): AuditFilters {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== '')) as AuditFilters;
}
export type AuditStore = ReturnType<typeof createAuditStore>;
