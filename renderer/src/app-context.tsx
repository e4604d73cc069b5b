import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { Api } from '@shared/ipc/api';
import type { SessionState, SessionStore } from './stores/session-store';
import type { AuditState, AuditStore } from './stores/audit-store';
import type { VaultStoreState, VaultStore } from './stores/vault-store';
import type { DatastoresStore } from './stores/datastores-store';
import type { Uploader } from './api/uploader';

import type { ConnectionsState, ConnectionsStore } from './stores/connections-store';
import type { OAuthState, OAuthStore } from './stores/oauth-store';

import type { IdentityState, IdentityStore } from './stores/identity-store';

import type { SecretsState, SecretsStore } from './stores/secrets-store';

export type AppStores = {
  api: Api;
  session: SessionStore;
  audit: AuditStore;
  connections: ConnectionsStore;
  identity: IdentityStore;
  vault: VaultStore;
  secrets: SecretsStore;
  oauth: OAuthStore;
  datastores: DatastoresStore;
  uploader: Uploader;
};

export const AppContext = createContext<AppStores | null>(null);

export function useApp(): AppStores {
  const v = useContext(AppContext);
  if (!v) throw new Error('AppContext missing');
  return v;
}

export const useSession = <T,>(sel: (s: SessionState) => T): T => useStore(useApp().session, sel);
export const useAudit = <T,>(sel: (s: AuditState) => T): T => useStore(useApp().audit, sel);
export const useVault = <T,>(sel: (s: VaultStoreState) => T): T => useStore(useApp().vault, sel);
export const useConnections = <T,>(sel: (s: ConnectionsState) => T): T => useStore(useApp().connections, sel);
export const useIdentity = <T,>(sel: (s: IdentityState) => T): T => useStore(useApp().identity, sel);
export const useSecrets = <T,>(sel: (s: SecretsState) => T): T => useStore(useApp().secrets, sel);
export const useOAuth = <T,>(sel: (s: OAuthState) => T): T => useStore(useApp().oauth, sel);
