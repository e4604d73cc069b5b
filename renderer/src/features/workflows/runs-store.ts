import { createStore } from 'zustand/vanilla';
import type { Api } from '@shared/ipc/api';
import type { PushPayloads } from '@shared/ipc/channels';
import type { IpcError, IpcResult } from '@shared/ipc/result';
import type { Run, RunSummary } from '@shared/domain/workflow';
import { RUN_STATUSES, TERMINAL_RUN_STATUSES, type RunStatus } from '@shared/domain/workflow.catalog';
import { emptyList, firstPage, latestOnly, nextPage, requireWorkspace, type ListState } from '../../state/list-state';

export type RunChange = PushPayloads['runs:changed'];

/**
 * A push about a run, merged into the list on screen: the run's status is taken at once (the badge changes without
 * a request); `missing` says the run is not listed yet (a new run: the list is reloaded to show it).
 */
export function applyRunChange(items: readonly RunSummary[], p: RunChange, workflowId: string | undefined): { items: RunSummary[]; missing: boolean } {
  if (workflowId && p.workflowId !== workflowId) return { items: [...items], missing: false };
  const i = items.findIndex((r) => r.id === p.runId);
  if (i < 0) return { items: [...items], missing: true };
  const status = (RUN_STATUSES as readonly string[]).includes(p.status) ? (p.status as RunStatus) : items[i]!.status;
  if (items[i]!.status === status) return { items: [...items], missing: false };
  const next = [...items];
  next[i] = { ...items[i]!, status };
  return { items: next, missing: false };
}

/**
 * Refreshes on pushes without piling up requests: while one refresh is in flight, further pushes only mark it
 * stale, and one more refresh runs after it. A run's steps change many times a second; this keeps one request at a
 * time and always ends on the newest state.
 */
export function coalesced(refresh: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  const loop = async (): Promise<void> => {
    do {
      again = false;
      await refresh();
    } while (again);
    running = null;
  };
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = loop();
    return running;
  };
}

export type RunsState = ListState<RunSummary> & {
  workspaceId?: string;
  /** The runs listed are this workflow's; undefined: every run of the workspace. */
  workflowId?: string;
  openRunId?: string;
  run?: Run;
  runError?: IpcError;
  load(workspaceId: string, workflowId?: string): Promise<void>;
  loadMore(): Promise<void>;
  open(runId: string | undefined): Promise<void>;
  start(workflowId: string, inputs?: Record<string, string | number | boolean | null>): Promise<IpcResult<{ id: string }>>;
  cancel(runId: string): Promise<IpcError | null>;
  replay(runId: string, from: 'failed' | 'start'): Promise<IpcResult<{ id: string }>>;
  /** Live updates over the push channel (no polling): list badges at once, the open run's steps re-read. */
  listen(workspaceId: string): () => void;
};

const PAGE = 100;

export const createRunsStore = (api: Api) =>
  createStore<RunsState>()((set, get) => {
    const loads = latestOnly();
    const ws = () => requireWorkspace(get().workspaceId, 'runs');
    const query = (cursor?: string) => ({ workspaceId: ws(), limit: PAGE, ...(get().workflowId ? { workflowId: get().workflowId } : {}), ...(cursor ? { cursor } : {}) });
    const refreshOpen = coalesced(async () => {
      const id = get().openRunId;
      if (!id || !get().workspaceId) return;
      const r = await api.invoke('runs:get', { workspaceId: ws(), id });
      if (get().openRunId !== id) return;
      set(r.ok ? { run: r.value, runError: undefined } : { runError: r.error });
    });
    const reloadList = coalesced(async () => {
      if (!get().workspaceId) return;
      const current = loads.next();
      const r = await api.invoke('runs:list', query());
      if (current()) set(firstPage(r));
    });
    return {
      ...emptyList<RunSummary>(),
      async load(workspaceId, workflowId) {
        // Another workspace's run, or another workflow's, does not stay open beside this list.
        const other = workspaceId !== get().workspaceId || (workflowId && get().run && get().run!.workflowId !== workflowId);
        if (other) set({ openRunId: undefined, run: undefined, runError: undefined });
        const current = loads.next();
        set({ workspaceId, workflowId, status: 'loading' });
        const r = await api.invoke('runs:list', query());
        if (current()) set(firstPage(r));
      },
      async loadMore() {
        const { workspaceId, nextCursor } = get();
        if (!workspaceId || !nextCursor) return;
        const current = loads.same();
        const r = await api.invoke('runs:list', query(nextCursor));
        if (current()) set(nextPage(get().items, r));
      },
      async open(runId) {
        set({ openRunId: runId, run: get().run?.id === runId ? get().run : undefined, runError: undefined });
        if (runId) await refreshOpen();
      },
      async start(workflowId, inputs) {
        const r = await api.invoke('workflows:run', { workspaceId: ws(), id: workflowId, ...(inputs && Object.keys(inputs).length ? { inputs } : {}) });
        if (!r.ok) return r;
        await Promise.all([get().open(r.value.id), reloadList()]);
        return { ok: true, value: { id: r.value.id } };
      },
      async cancel(runId) {
        const r = await api.invoke('runs:cancel', { workspaceId: ws(), id: runId });
        if (!r.ok) return r.error;
        if (get().openRunId === runId) await refreshOpen();
        return null;
      },
      async replay(runId, from) {
        const r = await api.invoke('runs:replay', { workspaceId: ws(), id: runId, from });
        if (!r.ok) return r;
        await Promise.all([get().open(r.value.id), reloadList()]);
        return { ok: true, value: { id: r.value.id } };
      },
      listen(workspaceId) {
        return api.on('runs:changed', (p) => {
          const s = get();
          if (p.workspaceId !== workspaceId || s.workspaceId !== workspaceId) return;
          const merged = applyRunChange(s.items, p, s.workflowId);
          set({ items: merged.items });
          // A run not listed yet (started elsewhere) shows up when the list is on its first page.
          // A run that ended is re-read with the list (its duration and end time).
          const ended = (TERMINAL_RUN_STATUSES as readonly string[]).includes(p.status);
          if ((merged.missing || ended) && !s.nextCursor && (!s.workflowId || s.workflowId === p.workflowId)) void reloadList();
          if (s.openRunId === p.runId) void refreshOpen();
        });
      },
    };
  });
export type RunsStore = ReturnType<typeof createRunsStore>;
