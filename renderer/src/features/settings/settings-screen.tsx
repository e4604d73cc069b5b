import { useSession } from '../../app-context';
import { Screen } from '../../components/ui';
import { OAuthAppsSection } from '../connections/oauth-apps-section';
import { ApiKeysSection } from './api-keys-section';
import { AppearanceSection } from './appearance-section';
import { RestApiSection } from './rest-api-section';
import { UsersSection } from './users-section';
import { VaultSettingsSection } from './vault-settings-section';
import { WorkspacesSection } from './workspaces-section';

/** Settings: one card per concern; each section loads what it shows and hides what the role may not do. */
export function SettingsScreen() {
  const info = useSession((s) => s.session);
  return (
    <Screen testId="screen-settings" title="Settings" subtitle={info ? `Signed in as ${info.actor.name} · ${info.mode} · v${info.version}` : undefined}>
      <WorkspacesSection />
      <VaultSettingsSection />
      <UsersSection />
      <ApiKeysSection />
      <RestApiSection />
      <OAuthAppsSection />
      <AppearanceSection />
    </Screen>
  );
}
