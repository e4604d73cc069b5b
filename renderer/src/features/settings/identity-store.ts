import { createStore } from 'zustand/vanilla';
import type { Api } from '@shared/ipc/api';
import type { IpcError } from '@shared/ipc/result';
import type { Role } from '@shared/domain/common';
import type { ApiKey, User } from '@shared/domain/identity';
import type { SettingsView } from '@shared/domain/settings';
import type { Scope } from '@shared/access/policy';
import { settle } from '../../state/list-state';

export type IdentityState = {
  workspaceId?: string;
  users: User[];
  apiKeys: ApiKey[];
  settings?: SettingsView;
  error?: IpcError;
  loadUsers(workspaceId: string): Promise<void>;
  loadApiKeys(workspaceId: string): Promise<void>;
  loadSettings(): Promise<void>;
  createUser(workspaceId: string, username: string, password: string, role: Role): Promise<IpcError | null>;
  setRole(workspaceId: string, id: string, role: Role): Promise<IpcError | null>;
  removeUser(workspaceId: string, id: string): Promise<IpcError | null>;
  /** Resolves to the new key (shown once) or an error. */
  createApiKey(workspaceId: string, name: string, scopes: Scope[]): Promise<{ key: string } | IpcError>;
  revokeApiKey(workspaceId: string, id: string): Promise<IpcError | null>;
  updateRestApi(patch: { enabled?: boolean; port?: number }): Promise<IpcError | null>;
  /** Loads the app settings and reloads them whenever they change (the REST server starting, another window). */
  listenSettings(): () => void;
};

/** Users, API keys and app settings for the Settings screen. The api is injected, so tests use a fake. */
export const createIdentityStore = (api: Api) =>
  createStore<IdentityState>()((set, get) => {
    const reloadUsers = (workspaceId: string) => () => get().loadUsers(workspaceId);
    const reloadKeys = (workspaceId: string) => () => get().loadApiKeys(workspaceId);
    return {
      users: [],
      apiKeys: [],
      async loadUsers(workspaceId) {
        const r = await api.invoke('users:list', { workspaceId, limit: 500 });
        set(r.ok ? { users: r.value.items, workspaceId } : { users: [], error: r.error });
      },
      async loadApiKeys(workspaceId) {
        const r = await api.invoke('apiKeys:list', { workspaceId, limit: 500 });
        set(r.ok ? { apiKeys: r.value.items, workspaceId } : { apiKeys: [], error: r.error });
      },
      async loadSettings() {
        const r = await api.invoke('settings:get', undefined);
        if (r.ok) set({ settings: r.value });
      },
      async createUser(workspaceId, username, password, role) {
        return settle(await api.invoke('users:create', { workspaceId, username, password, role }), reloadUsers(workspaceId));
      },
      async setRole(workspaceId, id, role) {
        return settle(await api.invoke('users:update', { workspaceId, id, role }), reloadUsers(workspaceId));
      },
      async removeUser(workspaceId, id) {
        return settle(await api.invoke('users:delete', { workspaceId, id }), reloadUsers(workspaceId));
      },
      async createApiKey(workspaceId, name, scopes) {
        const r = await api.invoke('apiKeys:create', { workspaceId, name, scopes });
        if (!r.ok) return r.error;
        await get().loadApiKeys(workspaceId);
        return { key: r.value.key };
      },
      async revokeApiKey(workspaceId, id) {
        return settle(await api.invoke('apiKeys:delete', { workspaceId, id }), reloadKeys(workspaceId));
      },
      async updateRestApi(patch) {
        return settle(await api.invoke('settings:update', { restApi: patch }), (settings) => set({ settings }));
      },
      listenSettings() {
        void get().loadSettings();
        return api.on('settings:changed', () => void get().loadSettings());
      },
    };
  });
export type IdentityStore = ReturnType<typeof createIdentityStore>;
