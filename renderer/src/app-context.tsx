import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { SessionState, SessionStore } from './features/session/session-store';
import type { AuditState, AuditStore } from './features/audit/audit-store';
import type { VaultStoreState, VaultStore } from './features/vault/vault-store';
import type { DatastoresState, DatastoresStore } from './features/datastores/datastores-store';
import type { ConnectionsState, ConnectionsStore } from './features/connections/connections-store';
import type { OAuthState, OAuthStore } from './features/connections/oauth-store';
import type { IdentityState, IdentityStore } from './features/settings/identity-store';
import type { AppearanceState, AppearanceStore } from './features/settings/appearance-store';
import type { SecretsState, SecretsStore } from './features/secrets/secrets-store';
import type { WorkflowsState, WorkflowsStore } from './features/workflows/workflows-store';
import type { RunsState, RunsStore } from './features/workflows/runs-store';
import type { NavigationState, NavigationStore } from './state/navigation-store';

/**
 * Every feature's store, made once in main.tsx with the injected Api and ports. Screens read state through the
 * hooks below and act through the stores' actions; only the stores call the Api (no .tsx file does).
 */
export type AppStores = {
  session: SessionStore;
  audit: AuditStore;
  connections: ConnectionsStore;
  identity: IdentityStore;
  vault: VaultStore;
  secrets: SecretsStore;
  oauth: OAuthStore;
  datastores: DatastoresStore;
  appearance: AppearanceStore;
  workflows: WorkflowsStore;
  runs: RunsStore;
  navigation: NavigationStore;
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
export const useDatastores = <T,>(sel: (s: DatastoresState) => T): T => useStore(useApp().datastores, sel);
export const useAppearance = <T,>(sel: (s: AppearanceState) => T): T => useStore(useApp().appearance, sel);
export const useWorkflows = <T,>(sel: (s: WorkflowsState) => T): T => useStore(useApp().workflows, sel);
export const useRuns = <T,>(sel: (s: RunsState) => T): T => useStore(useApp().runs, sel);
export const useNavigation = <T,>(sel: (s: NavigationState) => T): T => useStore(useApp().navigation, sel);
