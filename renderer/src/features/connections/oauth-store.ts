import { createStore } from 'zustand/vanilla';
import type { Api } from '@shared/ipc/api';
import type { Input } from '@shared/ipc/contract';
import type { IpcError } from '@shared/ipc/result';
import type { FlowStatus, OAuthApp, RefreshHealth } from '@shared/domain/oauth';
import { requireWorkspace, settle } from '../../state/list-state';

type AppDraft = Omit<Input<'oauthApps:create'>, 'workspaceId'>;
type AppPatch = Omit<Input<'oauthApps:update'>, 'workspaceId' | 'id'>;

/** A consent flow the UI started, keyed by connection id. */
export type UiFlow = { flowId: string; authorizationUrl: string; status: FlowStatus };

export type OAuthState = {
  workspaceId?: string;
  apps: OAuthApp[];
  appsError?: IpcError;
  health: RefreshHealth | null;
  healthError?: IpcError;
  flows: Record<string, UiFlow>;
  flowErrors: Record<string, IpcError | undefined>;
  loadApps(workspaceId: string): Promise<void>;
  createApp(draft: AppDraft): Promise<IpcError | null>;
  updateApp(id: string, patch: AppPatch): Promise<IpcError | null>;
  deleteApp(id: string): Promise<IpcError | null>;
  loadHealth(workspaceId: string): Promise<void>;
  /** Loads the refresh health and reloads it when a refresh or a connection changes it. */
  listenHealth(workspaceId: string): () => void;
  /**
   * Starts (re-)authorization of a connection in `workspaceId`: `open` shows the consent page (a new tab in the
   * console; the desktop's main process opens the system browser itself), then the flow is polled until it ends.
   */
  authorize(workspaceId: string, connectionId: string, open: (url: string) => void): Promise<FlowStatus | IpcError>;
};

const POLL_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const createOAuthStore = (api: Api) =>
  createStore<OAuthState>()((set, get) => {
    const ws = () => requireWorkspace(get().workspaceId, 'oauth');
    const reloadApps = () => get().loadApps(ws());
    const flowError = (connectionId: string, error: IpcError | undefined) => set({ flowErrors: { ...get().flowErrors, [connectionId]: error } });
    return {
      apps: [],
      health: null,
      flows: {},
      flowErrors: {},
      async loadApps(workspaceId) {
        set({ workspaceId });
        const r = await api.invoke('oauthApps:list', { workspaceId, limit: 100 });
        set(r.ok ? { apps: r.value.items, appsError: undefined } : { appsError: r.error });
      },
      async createApp(draft) {
        return settle(await api.invoke('oauthApps:create', { ...draft, workspaceId: ws() }), reloadApps);
      },
      async updateApp(id, patch) {
        return settle(await api.invoke('oauthApps:update', { ...patch, workspaceId: ws(), id }), reloadApps);
      },
      async deleteApp(id) {
        return settle(await api.invoke('oauthApps:delete', { workspaceId: ws(), id }), reloadApps);
      },
      async loadHealth(workspaceId) {
        set({ workspaceId });
        const r = await api.invoke('oauth:health', { workspaceId });
        set(r.ok ? { health: r.value, healthError: undefined } : { healthError: r.error });
      },
      listenHealth(workspaceId) {
        void get().loadHealth(workspaceId);
        const reload = (p: { workspaceId: string }) => p.workspaceId === workspaceId && void get().loadHealth(workspaceId);
        const offHealth = api.on('oauth:healthChanged', reload);
        const offConnections = api.on('connections:changed', reload);
        return () => {
          offHealth();
          offConnections();
        };
      },
      async authorize(workspaceId, connectionId, open) {
        flowError(connectionId, undefined);
        const r = await api.invoke('oauth:reauthorize', { workspaceId, id: connectionId });
        if (!r.ok) {
          flowError(connectionId, r.error);
          return r.error;
        }
        const flow: UiFlow = { ...r.value, status: { state: 'pending' } };
        set({ flows: { ...get().flows, [connectionId]: flow } });
        open(r.value.authorizationUrl);
        for (;;) {
          await sleep(POLL_MS);
          const s = await api.invoke('oauth:flowStatus', { workspaceId, flowId: flow.flowId });
          if (get().flows[connectionId]?.flowId !== flow.flowId) return s.ok ? s.value : s.error; // superseded
          if (!s.ok) {
            flowError(connectionId, s.error);
            return s.error;
          }
          set({ flows: { ...get().flows, [connectionId]: { ...flow, status: s.value } } });
          if (s.value.state !== 'pending') return s.value;
        }
      },
    };
  });
export type OAuthStore = ReturnType<typeof createOAuthStore>;
