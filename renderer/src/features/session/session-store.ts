import { createStore } from 'zustand/vanilla';
import type { Api } from '@shared/ipc/api';
import { ok, type IpcError, type IpcResult } from '@shared/ipc/result';
import type { Workspace } from '@shared/domain/workspace';
import type { SessionInfo } from '@shared/ipc/core.contract';
import type { Role } from '@shared/domain/common';
import { roleAllows, type Operation } from '@shared/access/policy';

export type SessionState = {
  status: 'idle' | 'loading' | 'ready' | 'error';
  error?: IpcError;
  session?: SessionInfo;
  workspaces: Workspace[];
  currentWorkspaceId?: string;
  /** `first`: an answer already on its way (the first load's app:bootstrap, see api/first-load.ts) instead of asking. */
  load(first?: Promise<IpcResult<{ session: SessionInfo; workspaces: Workspace[] }>>): Promise<void>;
  selectWorkspace(id: string): void;
  createWorkspace(name: string): Promise<IpcError | null>;
  renameWorkspace(id: string, name: string): Promise<IpcError | null>;
  role(): Role | undefined;
  /** Whether the session's role in the current workspace allows `op` (the same POLICY table the core enforces). */
  can(op: Operation): boolean;
  /** The console can act as a local user (the desktop window is always the OS user). */
  canSignIn: boolean;
  signIn(username: string, password: string): Promise<IpcError | null>;
  signOut(): Promise<void>;
};

const LAST_WS = 'provenance.lastWorkspace';

const split = (r: IpcResult<{ session: SessionInfo; workspaces: Workspace[] }>) =>
  r.ok ? ([ok(r.value.session), ok(r.value.workspaces)] as const) : ([r, r] as const);

/** Session + workspaces. The api is injected, so tests use a fake and no window. */
export const createSessionStore = (api: Api, storage?: Pick<Storage, 'getItem' | 'setItem'>) =>
  createStore<SessionState>()((set, get) => ({
    status: 'idle',
    workspaces: [],
    canSignIn: typeof api.setUserToken === 'function',
    async load(first) {
      set({ status: 'loading' });
      const [s, w] = first ? split(await first) : await Promise.all([api.invoke('session:info', undefined), api.invoke('workspaces:list', undefined)]);
      // An ended user sign-in falls back to the console's own session (the bridge has dropped the token).
      if (!s.ok && s.error.code === 'UNAUTHENTICATED' && get().session?.actor.kind === 'user') {
        set({ session: undefined });
        return get().load();
      }
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
    can(op) {
      const role = get().role();
      return role !== undefined && roleAllows(role, op);
    },
    async signIn(username, password) {
      if (!api.setUserToken) return { code: 'UNAVAILABLE', message: 'signing in as a user is available in the console (npm run serve)' };
      const r = await api.invoke('auth:login', { username, password });
      if (!r.ok) return r.error;
      api.setUserToken(r.value.token);
      set({ currentWorkspaceId: undefined });
      await get().load();
      return get().error ?? null;
    },
    async signOut() {
      api.setUserToken?.(null);
      set({ currentWorkspaceId: undefined });
      await get().load();
    },
  }));
export type SessionStore = ReturnType<typeof createSessionStore>;
