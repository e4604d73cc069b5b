import { createStore } from 'zustand/vanilla';
import type { Api } from '@shared/ipc/api';
import type { AuditAction, AuditEvent, AuditExport, AuditExportFormat, Risk } from '@shared/domain/audit';
import type { IpcResult } from '@shared/ipc/result';
import { emptyList, filteredListActions, withoutBlanks, type FilteredListState } from '../../state/list-state';

export type AuditFilters = { action?: AuditAction; risk?: Risk; actor?: string; from?: string; to?: string };

export type AuditState = FilteredListState<AuditEvent, AuditFilters> & {
  load(workspaceId: string, filters?: AuditFilters): Promise<void>;
  loadMore(): Promise<void>;
  /** Reloads on new events while the first page is all there is (a paged-through log keeps its place). */
  listen(workspaceId: string): () => void;
  /** Every event the applied filters match (not just the loaded pages), as one file from the core. */
  exportAs(format: AuditExportFormat): Promise<IpcResult<AuditExport>>;
};

const PAGE = 50;

/** Audit log: filters + keyset pagination ("Load more" appends the next page). */
export const createAuditStore = (api: Api) =>
  createStore<AuditState>()((set, get) => ({
    ...emptyList<AuditEvent>(),
    filters: {},
    ...filteredListActions<AuditEvent, AuditFilters>(set, get, (workspaceId, filters, cursor) =>
      api.invoke('audit:list', { workspaceId, ...withoutBlanks(filters), limit: PAGE, ...(cursor ? { cursor } : {}) }),
    ),
    async exportAs(format) {
      const { workspaceId, filters } = get();
      if (!workspaceId) return { ok: false, error: { code: 'INVALID_INPUT', message: 'Choose a workspace first.' } };
      return api.invoke('audit:export', { workspaceId, ...withoutBlanks(filters), format });
    },
    listen(workspaceId) {
      return api.on('audit:appended', (p) => {
        const s = get();
        if (p.workspaceId === workspaceId && !s.nextCursor && s.items.length < PAGE) void s.load(workspaceId);
      });
    },
  }));
export type AuditStore = ReturnType<typeof createAuditStore>;
