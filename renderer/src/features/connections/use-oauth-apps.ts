import { useEffect, useState } from 'react';
import { useApp, useOAuth, useSession } from '../../app-context';

/**
 * The workspace's OAuth apps, loaded when the caller mounts (the wizard, a connection's OAuth panel). `loaded` stays
 * false until that load answered, so "no app yet" is only claimed once the list is known.
 */
export function useOAuthApps() {
  const { oauth } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const apps = useOAuth((s) => s.apps);
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    if (!workspaceId) return;
    let live = true;
    void oauth
      .getState()
      .loadApps(workspaceId)
      .then(() => live && setLoaded(true));
    return () => {
      live = false;
    };
  }, [workspaceId, oauth]);
  return { apps, loaded };
}
