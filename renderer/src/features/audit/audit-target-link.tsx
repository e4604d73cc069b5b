import { useCallback } from 'react';
import type { AuditEvent } from '@shared/domain/audit';
import type { ScreenId } from '../../state/navigation-store';
import { useApp } from '../../app-context';
import { useOpenConnection, useOpenWorkflow } from '../workflows/cross-links';
import { useOpenSecret } from '../secrets/secret-link';

/** Where a target type lives: opened as the item itself where its screen can select one, else its screen. */
const SCREEN_OF: Readonly<Record<string, ScreenId>> = {
  secret: 'secrets',
  connection: 'connections',
  workflow: 'workflows',
  datastore: 'datastores',
  user: 'settings',
  apikey: 'settings',
  oauthapp: 'settings',
  setting: 'settings',
  settings: 'settings',
  vault: 'settings',
};

/** Opens an audit event's target on its screen; false where there is nothing to open (a deleted item, a workspace). */
export function useOpenAuditTarget(): { canOpen: (e: AuditEvent) => boolean; open: (e: AuditEvent) => Promise<void> } {
  const { navigation, datastores, session } = useApp();
  const openSecret = useOpenSecret();
  const openConnection = useOpenConnection();
  const openWorkflow = useOpenWorkflow();
  const canOpen = useCallback((e: AuditEvent) => SCREEN_OF[e.target.type] !== undefined && !e.action.endsWith('.deleted'), []);
  const open = useCallback(
    async (e: AuditEvent) => {
      const id = e.target.id;
      switch (e.target.type) {
        case 'secret':
          return openSecret(id);
        case 'connection':
          // An explicit opening: the connection's detail is read (and audited as connection.accessed) on purpose.
          return openConnection(id);
        case 'workflow':
          return openWorkflow(id);
        case 'datastore': {
          const ws = session.getState().currentWorkspaceId;
          if (ws && datastores.getState().workspaceId !== ws) await datastores.getState().load(ws);
          datastores.getState().select(id);
          navigation.getState().go('datastores');
          return;
        }
        default: {
          const screen = SCREEN_OF[e.target.type];
          if (screen) navigation.getState().go(screen);
        }
      }
    },
    [openSecret, openConnection, openWorkflow, datastores, navigation, session],
  );
  return { canOpen, open };
}
