import { Database, KeyRound, Keyboard, PanelLeftClose, PanelLeftOpen, Plug, ScrollText, Settings, Workflow, type LucideIcon } from 'lucide-react';
import { lazy, Suspense, useCallback, useEffect, useState, type ComponentType } from 'react';
import { useApp, useNavigation, useSession, useVault } from './app-context';
import { ShortcutsDialog, shortcutHint, useShortcuts } from './components/shortcuts';
import { IconButton, Tip } from './components/tooltip';
import { ErrorBanner } from './components/ui';
import { useMediaQuery } from './components/use-media-query';
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
export const SCREENS: ReadonlyArray<{ id: ScreenId; label: string; icon: LucideIcon; component: ComponentType }> = [
  { id: 'connections', label: 'Connections', icon: Plug, component: ConnectionsScreen },
  { id: 'secrets', label: 'Secrets', icon: KeyRound, component: SecretsScreen },
  { id: 'datastores', label: 'Datastores', icon: Database, component: DatastoresScreen },
  { id: 'workflows', label: 'Workflows', icon: Workflow, component: WorkflowsScreen },
  { id: 'audit', label: 'Audit log', icon: ScrollText, component: AuditScreen },
  { id: 'settings', label: 'Settings', icon: Settings, component: SettingsScreen },
];

/** Below this width the sidebar starts collapsed to its icons (the 900×700 window keeps ~840 px for the screen). */
const NARROW = '(max-width: 1099px)';

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

  // The sidebar: collapsed by default in a narrow window; the toggle's choice holds until the window crosses the
  // breakpoint again (a choice made wide is not carried into narrow, where it would squeeze the screen).
  const narrow = useMediaQuery(NARROW);
  const [navChoice, setNavChoice] = useState<{ narrow: boolean; collapsed: boolean } | null>(null);
  const collapsed = navChoice && navChoice.narrow === narrow ? navChoice.collapsed : narrow;
  const [showShortcuts, setShowShortcuts] = useState(false);
  const lock = useCallback(() => {
    if (vault.getState().status?.state === 'unlocked') void vault.getState().lock();
  }, [vault]);
  const help = useCallback(() => setShowShortcuts(true), []);
  useShortcuts({ lock, help });

  const Screen = SCREENS.find((s) => s.id === screen)!.component;
  // The vault gates the screens: not set up → setup; locked → unlock (metadata stays browsable on request).
  const gate =
    vaultState === 'uninitialized' ? <VaultSetupScreen /> : vaultState === 'locked' && !browseLocked ? <VaultUnlockScreen /> : null;
  return (
    <div className={collapsed ? 'app nav-collapsed' : 'app'} data-app-state={status === 'ready' && vaultState ? 'loaded' : status}>
      <nav className={collapsed ? 'sidebar collapsed' : 'sidebar'} aria-label="Main" data-testid="sidebar">
        <div className="sidebar-top">
          <div className="brand">ProvenanceOne</div>
          <IconButton
            icon={collapsed ? PanelLeftOpen : PanelLeftClose}
            label={collapsed ? 'Show the sidebar' : 'Collapse the sidebar'}
            expanded={!collapsed}
            className="link"
            side="right"
            testId="sidebar-toggle"
            onClick={() => setNavChoice({ narrow, collapsed: !collapsed })}
          />
        </div>
        {/* Collapsed: these stay mounted (their state and dialogs live on) but are hidden by CSS. */}
        <VaultIndicator />
        <WorkspaceSwitcher />
        <ul>
          {SCREENS.map((s) => {
            const Icon = s.icon;
            const button = (
              <button
                className={s.id === screen ? 'nav active' : 'nav'}
                aria-current={s.id === screen ? 'page' : undefined}
                data-testid={`nav-${s.id}`}
                onClick={() => setScreen(s.id)}
              >
                <Icon size={16} aria-hidden className="nav-icon" />
                <span className="nav-label">{s.label}</span>
              </button>
            );
            return (
              <li key={s.id}>
                {collapsed ? (
                  <Tip label={s.label} side="right">
                    {button}
                  </Tip>
                ) : (
                  button
                )}
              </li>
            );
          })}
        </ul>
        <SessionMenu />
        <IconButton icon={Keyboard} label="Keyboard shortcuts" shortcut={shortcutHint('help')} className="link shortcuts-open" side="right" testId="shortcuts-open" onClick={help} />
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
      {showShortcuts && <ShortcutsDialog onClose={() => setShowShortcuts(false)} />}
    </div>
  );
}
