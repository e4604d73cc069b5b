import { lazy, Suspense, useEffect, type ComponentType } from 'react';
import { useApp, useNavigation, useSession, useVault } from './app-context';
import { ErrorBanner } from './components/ui';
import { AuditScreen } from './features/audit/audit-screen';
import { ConnectionsScreen } from './features/connections/connections-screen';
import { DatastoresScreen } from './features/datastores/datastores-screen';
import { SecretsScreen } from './features/secrets/secrets-screen';
import { SessionMenu } from './features/session/session-menu';
import { WorkspaceSwitcher } from './features/session/workspace-switcher';
import { SettingsScreen } from './features/settings/settings-screen';
import { VaultIndicator } from './features/vault/vault-indicator';
import { RecoveryOffer } from './features/vault/recovery-offer';
import { VaultSetupScreen } from './features/vault/vault-setup-screen';
import { VaultUnlockScreen } from './features/vault/vault-unlock-screen';

import type { ScreenId } from './state/navigation-store';

export type { ScreenId };

/** Loaded when first shown: the editor (CodeMirror) and the DAG layout stay out of the first screen's bundle. */
const WorkflowsScreen = lazy(() => import('./features/workflows/workflows-screen').then((m) => ({ default: m.WorkflowsScreen })));

/** Navigation: one entry per screen. Later capabilities replace their screen component here. */
export const SCREENS: ReadonlyArray<{ id: ScreenId; label: string; component: ComponentType }> = [
  { id: 'connections', label: 'Connections', component: ConnectionsScreen },
  { id: 'secrets', label: 'Secrets', component: SecretsScreen },
  { id: 'datastores', label: 'Datastores', component: DatastoresScreen },
  { id: 'workflows', label: 'Workflows', component: WorkflowsScreen },
  { id: 'audit', label: 'Audit log', component: AuditScreen },
  { id: 'settings', label: 'Settings', component: SettingsScreen },
];

export function App() {
  const { session, vault, navigation } = useApp();
  const status = useSession((s) => s.status);
  const error = useSession((s) => s.error);
  const current = useSession((s) => s.currentWorkspaceId);
  const screen = useNavigation((s) => s.screen);
  const setScreen = navigation.getState().go;
  const vaultState = useVault((s) => s.status?.state);
  const browseLocked = useVault((s) => s.browseLocked);

  // The first load is already on its way (main.tsx, before the first render); these pushes reload.
  useEffect(() => {
    const offWorkspaces = session.getState().listen();
    const offVault = vault.getState().listen();
    return () => {
      offWorkspaces();
      offVault();
    };
  }, [session, vault]);

  const Screen = SCREENS.find((s) => s.id === screen)!.component;
  // The vault gates the screens: not set up → setup; locked → unlock (metadata stays browsable on request).
  const gate =
    vaultState === 'uninitialized' ? <VaultSetupScreen /> : vaultState === 'locked' && !browseLocked ? <VaultUnlockScreen /> : null;
  return (
    <div className="app" data-app-state={status === 'ready' && vaultState ? 'loaded' : status}>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">ProvenanceOne</div>
        <VaultIndicator />
        <WorkspaceSwitcher />
        <ul>
          {SCREENS.map((s) => (
            <li key={s.id}>
              <button
                className={s.id === screen ? 'nav active' : 'nav'}
                aria-current={s.id === screen ? 'page' : undefined}
                data-testid={`nav-${s.id}`}
                onClick={() => setScreen(s.id)}
              >
                {s.label}
              </button>
            </li>
          ))}
        </ul>
        <SessionMenu />
      </nav>
      <main className="content">
        <ErrorBanner error={error} testId="session-error" />
        <RecoveryOffer />
        {status === 'ready' && current && vaultState ? (gate ?? (
            <Suspense fallback={<p className="muted">Loading…</p>}>
              <Screen key={current} />
            </Suspense>
          )) : status === 'loading' || status === 'idle' ? <p className="muted">Loading…</p> : null}
      </main>
    </div>
  );
}
