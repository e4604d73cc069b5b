import type { IpcError, IpcResult } from '@shared/ipc/result';

/**
 * The pieces every feature store repeats: a keyset-paged list (first page, "load more"), newest-load-wins, and the
 * usual ending of an action (the error for the form that asked, or null once the reload after it has run).
 * Plain functions over zustand's set/get, so each store keeps its own state shape and the tests need no React.
 */

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** What every list channel answers (shared/domain/common.ts pageOf). */
export type Page<T> = { items: T[]; nextCursor: string | null };

/** The list part of a store showing one keyset-paged list. */
export type ListState<T> = { items: T[]; nextCursor: string | null; status: LoadStatus; error?: IpcError };

export const emptyList = <T>(): ListState<T> => ({ items: [], nextCursor: null, status: 'idle' });

/** After loading the first page: the page, or the error with an empty list (never stale rows beside an error). */
export function firstPage<T>(r: IpcResult<Page<T>>): Partial<ListState<T>> {
  return r.ok
    ? { items: r.value.items, nextCursor: r.value.nextCursor, status: 'ready', error: undefined }
    : { status: 'error', error: r.error, items: [], nextCursor: null };
}

/** After "load more": the next page appended, or the error with the rows already shown kept. */
export function nextPage<T>(shown: readonly T[], r: IpcResult<Page<T>>): Partial<ListState<T>> {
  return r.ok ? { items: [...shown, ...r.value.items], nextCursor: r.value.nextCursor } : { error: r.error };
}

/** Filters the user left empty are not sent: the contracts take a missing filter, not ''. */
export function withoutBlanks<T extends object>(filters: T): T {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined && v !== '')) as T;
}

/**
 * Newest wins: each load takes a ticket (`next`), and an answer whose ticket is no longer the newest is dropped (a
 * slower earlier search or workspace must not overwrite a later one). `same` is for a follow-up of the current load
 * ("load more"): its answer is dropped too if a new load starts meanwhile.
 */
export function latestOnly(): { next(): () => boolean; same(): () => boolean } {
  let newest = 0;
  const ticket = (mine: number) => () => mine === newest;
  return { next: () => ticket(++newest), same: () => ticket(newest) };
}

/** A list filtered by the user, in one workspace (connections, the audit log). */
export type FilteredListState<T, F> = ListState<T> & { workspaceId?: string; filters: F };

/**
 * `load` (the first page, for a workspace and filters; the newest load wins) and `loadMore` (the next page, with
 * the same filters) over one list channel. `fetchPage` asks for a page; the store keeps its own other state.
 */
export function filteredListActions<T, F>(
  set: (partial: Partial<FilteredListState<T, F>>) => void,
  get: () => FilteredListState<T, F>,
  fetchPage: (workspaceId: string, filters: F, cursor?: string) => Promise<IpcResult<Page<T>>>,
) {
  const loads = latestOnly();
  return {
    async load(workspaceId: string, filters: F = get().filters): Promise<void> {
      const current = loads.next();
      set({ status: 'loading', workspaceId, filters });
      const r = await fetchPage(workspaceId, filters);
      if (current()) set(firstPage(r));
    },
    async loadMore(): Promise<void> {
      const { workspaceId, filters, nextCursor } = get();
      if (!workspaceId || !nextCursor) return;
      set(nextPage(get().items, await fetchPage(workspaceId, filters, nextCursor)));
    },
  };
}

/** An action's usual ending: the error for the form that asked, or null after `then` (typically a reload) ran. */
export async function settle<T>(r: IpcResult<T>, then?: (value: T) => unknown): Promise<IpcError | null> {
  if (!r.ok) return r.error;
  await then?.(r.value);
  return null;
}

/** The workspace a store was loaded for; an action before the first load is a programming error, not a user's. */
export function requireWorkspace(workspaceId: string | undefined, store: string): string {
  if (!workspaceId) throw new Error(`${store} store used before load()`);
  return workspaceId;
}
