import type { ReactNode } from 'react';
import { Tabs } from 'radix-ui';
import { useApp, useNavigation, useSession } from '../../app-context';
import { Screen } from '../../components/ui';
import type { SettingsSectionId } from '../../state/navigation-store';
import { OAuthAppsSection } from '../connections/oauth-apps-section';
import { ApiKeysSection } from './api-keys-section';
import { AppearanceSection } from './appearance-section';
import { RestApiSection } from './rest-api-section';
import { UsersSection } from './users-section';
import { VaultSettingsSection } from './vault-settings-section';
import { WorkspacesSection } from './workspaces-section';
import './settings.css';

/** Settings' sections in the order of the list; each is its own view. */
export const SETTINGS_SECTIONS: ReadonlyArray<{ id: SettingsSectionId; label: string; view: () => ReactNode }> = [
  {
    id: 'general',
    label: 'General',
    view: () => (
      <>
        <WorkspacesSection />
        <AppearanceSection />
      </>
    ),
  },
  { id: 'vault', label: 'Vault', view: () => <VaultSettingsSection /> },
  { id: 'users', label: 'Users', view: () => <UsersSection /> },
  { id: 'api-keys', label: 'API keys', view: () => <ApiKeysSection /> },
  { id: 'oauth-apps', label: 'OAuth apps', view: () => <OAuthAppsSection /> },
  { id: 'rest-api', label: 'REST API', view: () => <RestApiSection /> },
];

/**
 * Settings: a list of sections (General, Vault, Users, API keys, OAuth apps, REST API) beside the one shown (Radix
 * Tabs: arrow keys move along the list, Tab goes into the section). The section lives in the navigation store, so a
 * link elsewhere can open one ("Make a backup…" opens Vault). Each section loads what it shows and hides what the role
 * may not do.
 */
export function SettingsScreen() {
  const info = useSession((s) => s.session);
  const { navigation } = useApp();
  const section = useNavigation((s) => s.settingsSection);
  return (
    <Screen testId="screen-settings" title="Settings" subtitle={info ? `Signed in as ${info.actor.name} · ${info.mode} · v${info.version}` : undefined}>
      <Tabs.Root
        className="settings-layout"
        orientation="vertical"
        value={section}
        onValueChange={(v) => navigation.getState().go('settings', v as SettingsSectionId)}
      >
        <Tabs.List className="settings-nav" aria-label="Settings sections">
          {SETTINGS_SECTIONS.map((s) => (
            <Tabs.Trigger key={s.id} value={s.id} data-testid={`settings-tab-${s.id}`}>
              {s.label}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        {SETTINGS_SECTIONS.map((s) => (
          <Tabs.Content key={s.id} value={s.id} className="settings-panel" data-testid={`settings-section-${s.id}`}>
            {s.view()}
          </Tabs.Content>
        ))}
      </Tabs.Root>
    </Screen>
  );
}
