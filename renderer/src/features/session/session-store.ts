import { createStore } from 'zustand/vanilla';
import type { Api } from '@shared/ipc/api';
import { ok, type IpcError, type IpcResult } from '@shared/ipc/result';
import type { Workspace } from '@shared/domain/workspace';
import type { SessionInfo } from '@shared/ipc/core.contract';
import type { Role } from '@shared/domain/common';
import { roleAllows, type Operation } from '@shared/access/policy';
import type { PreferencesPort } from '../../api/preferences-port';
import { settle, type LoadStatus } from '../../state/list-state';

export type SessionState = {
  status: LoadStatus;
  error?: IpcError;
  session?: SessionInfo;
  workspaces: Workspace[];
  currentWorkspaceId?: string;
  /** `first`: an answer already on its way (the first load's app:bootstrap, see api/first-load.ts) instead of asking. */
  load(first?: Promise<IpcResult<{ session: SessionInfo; workspaces: Workspace[] }>>): Promise<void>;
  /** Switches the workspace and remembers it (the preferences port) for the next start. */
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
  /** Reloads when another window or the REST API changes the workspaces. */
  listen(): () => void;
};

const split = (r: IpcResult<{ session: SessionInfo; workspaces: Workspace[] }>) =>
  r.ok ? ([ok(r.value.session), ok(r.value.workspaces)] as const) : ([r, r] as const);

/**
 * Session + workspaces. The api and the preferences port are injected, so tests use fakes and no window. Without a
 * port nothing is remembered: the first workspace is chosen at each start.
 */
export const createSessionStore = (api: Api, prefs?: PreferencesPort) =>
  createStore<SessionState>()((set, get) => ({
    status: 'idle',
    workspaces: [],
    canSignIn: typeof api.setUserToken === 'function',
    async load(first) {
      set({ status: 'loading' });
      // The remembered workspace is read beside the first answer (not after it): it only matters while none is chosen.
      const [[s, w], remembered] = await Promise.all([
        first ? first.then(split) : Promise.all([api.invoke('session:info', undefined), api.invoke('workspaces:list', undefined)]),
        get().currentWorkspaceId ?? prefs?.read().then((p) => p.lastWorkspaceId),
      ]);
      // An ended user sign-in falls back to the console's own session (the bridge has dropped the token).
      if (!s.ok && s.error.code === 'UNAUTHENTICATED' && get().session?.actor.kind === 'user') {
        set({ session: undefined });
        return get().load();
      }
      if (!s.ok) return set({ status: 'error', error: s.error });
      if (!w.ok) return set({ status: 'error', error: w.error });
      // The last workspace chosen, if it still exists (and this session may see it); else the first.
      const current = w.value.find((x) => x.id === (get().currentWorkspaceId ?? remembered)) ?? w.value[0];
      set({ status: 'ready', session: s.value, workspaces: w.value, currentWorkspaceId: current?.id, error: undefined });
    },
    selectWorkspace(id) {
      if (!get().workspaces.some((w) => w.id === id)) return;
      set({ currentWorkspaceId: id });
      void prefs?.write({ lastWorkspaceId: id });
    },
    async createWorkspace(name) {
      return settle(await api.invoke('workspaces:create', { name }), async (created) => {
        await get().load();
        get().selectWorkspace(created.id);
      });
    },
    async renameWorkspace(id, name) {
      return settle(await api.invoke('workspaces:rename', { id, name }), () => get().load());
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
    listen() {
      return api.on('workspaces:changed', () => void get().load());
    },
  }));
export type SessionStore = ReturnType<typeof createSessionStore>;
