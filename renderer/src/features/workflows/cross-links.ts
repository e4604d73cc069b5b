import { useCallback } from 'react';
import { useApp } from '../../app-context';

/**
 * Links between screens: open the target in its store first, then show its screen (so the screen mounts with it
 * open). Used by "Used by" lists (to a workflow and its step) and by run errors (to the connection to resume).
 */
export function useOpenWorkflow(): (workflowId: string, stepId?: string) => Promise<void> {
  const { workflows, navigation, session } = useApp();
  return useCallback(
    async (workflowId, stepId) => {
      const ws = session.getState().currentWorkspaceId;
      if (!ws) return;
      if (workflows.getState().workspaceId !== ws) await workflows.getState().load(ws, '');
      navigation.getState().go('workflows');
      await workflows.getState().select(workflowId, stepId ? { stepId } : {});
    },
    [workflows, navigation, session],
  );
}

export function useOpenConnection(): (connectionId: string) => Promise<void> {
  const { connections, navigation, session } = useApp();
  return useCallback(
    async (connectionId) => {
      const ws = session.getState().currentWorkspaceId;
      if (!ws) return;
      if (connections.getState().workspaceId !== ws) await connections.getState().load(ws);
      await connections.getState().open(connectionId);
      navigation.getState().go('connections');
    },
    [connections, navigation, session],
  );
}

/**
 * A reference-index row written by a workflow: its id is the workflow's and its name `<workflow name> › <step ids>`
 * (one workflow can name a resource in several steps). Also read: an id with the step after it (`<id>#<step>`).
 */
export function parseWorkflowReferrer(id: string, name: string | null = null): { workflowId: string; name: string; stepIds: string[] } {
  const m = /^([0-9a-fA-F-]{36})(?:[#:/](.+))?$/.exec(id);
  const workflowId = m ? m[1]! : id;
  const cut = name?.lastIndexOf(' › ') ?? -1;
  const stepsInName = name && cut >= 0 ? name.slice(cut + 3).split(',').map((x) => x.trim()).filter(Boolean) : [];
  const stepIds = m?.[2] ? [m[2]] : stepsInName;
  return { workflowId, name: (name && cut >= 0 ? name.slice(0, cut) : name) || workflowId, stepIds };
}
