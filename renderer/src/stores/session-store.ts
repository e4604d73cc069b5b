import { createStore } from 'zustand/vanilla';
import type { Api } from '@shared/ipc/api';
import type { IpcError } from '@shared/ipc/result';
import type { Workspace } from '@shared/domain/workspace';
import type { SessionInfo } from '@shared/ipc/core.contract';
import type { Role } from '@shared/domain/common';

export type SessionState = {
  status: 'idle' | 'loading' | 'ready' | 'error';
  error?: IpcError;
  session?: SessionInfo;
  workspaces: Workspace[];
  currentWorkspaceId?: string;
  load(): Promise<void>;
  selectWorkspace(id: string): void;
  createWorkspace(name: string): Promise<IpcError | null>;
  renameWorkspace(id: string, name: string): Promise<IpcError | null>;
  role(): Role | undefined;
};

const LAST_WS = 'provenance.lastWorkspace';

/** Session + workspaces. The api is injected, so tests use a fake and no window. */
export const createSessionStore = (api: Api, storage?: Pick<Storage, 'getItem' | 'setItem'>) =>
  createStore<SessionState>()((set, get) => ({
    status: 'idle',
    workspaces: [],
    async load() {
      set({ status: 'loading' });
      const [s, w] = await Promise.all([api.invoke('session:info', undefined), api.invoke('workspaces:list', undefined)]);
      if (!s.ok) return set({ status: 'error', error: s.error });
      if (!w.ok) return set({ status: 'error', error: w.error });
      const remembered = get().currentWorkspaceId ?? storage?.getItem(LAST_WS) ?? undefined;
      const current = w.value.find((x) => x.id === remembered) ?? w.value[0];
      set({ status: 'ready', session: s.value, workspaces: w.value, currentWorkspaceId: current?.id, error: undefined });
    },
    selectWorkspace(id) {
      if (!get().workspaces.some((w) => w.id === id)) return;
      storage?.setItem(LAST_WS, id);
      set({ currentWorkspaceId: id });
    },
    async createWorkspace(name) {
      const r = await api.invoke('workspaces:create', { name });
      if (!r.ok) return r.error;
      await get().load();
      get().selectWorkspace(r.value.id);
      return null;
    },
    async renameWorkspace(id, name) {
      const r = await api.invoke('workspaces:rename', { id, name });
      if (!r.ok) return r.error;
      await get().load();
      return null;
    },
    role() {
      const { session, currentWorkspaceId } = get();
      return currentWorkspaceId ? session?.roles[currentWorkspaceId] : undefined;
    },
  }));
export type SessionStore = ReturnType<typeof createSessionStore>;
