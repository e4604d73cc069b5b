import { useCallback, useEffect, useState } from 'react';
import { useApp, useSession } from '../../app-context';

/** Opens a secret in the Secrets screen: selected in its store first, so the screen mounts with it open. */
export function useOpenSecret(): (secretId: string) => Promise<void> {
  const { secrets, navigation, session } = useApp();
  return useCallback(
    async (secretId) => {
      const ws = session.getState().currentWorkspaceId;
      if (!ws) return;
      if (secrets.getState().workspaceId !== ws) await secrets.getState().load(ws, '');
      navigation.getState().go('secrets');
      await secrets.getState().select(secretId);
    },
    [secrets, navigation, session],
  );
}

/**
 * A vault secret named where it is referenced (a connection's credential or field), as a link to it. The name is
 * read from its metadata (never the value); until it arrives, or if it cannot be read, the id stands in for it.
 */
export function SecretLink(props: Readonly<{ id: string; testId?: string }>) {
  const { secrets } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const open = useOpenSecret();
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    if (!workspaceId) return;
    let live = true;
    void secrets.getState().nameOf(workspaceId, props.id).then((n) => live && setName(n));
    return () => {
      live = false;
    };
  }, [secrets, workspaceId, props.id]);
  return (
    <button type="button" className="link" data-testid={props.testId ?? 'secret-link'} data-secret-id={props.id} title={`vault secret ${props.id}`} onClick={() => void open(props.id)}>
      {name ?? props.id}
    </button>
  );
}
