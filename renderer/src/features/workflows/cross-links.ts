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
 * A reference-index row written by a workflow: its id is the workflow's, possibly followed by the step
 * (`<workflowId>#<stepId>` or `:`/`/`), since one workflow can name a resource in several steps.
 */
export function parseWorkflowReferrer(id: string): { workflowId: string; stepId?: string } {
  const m = /^([0-9a-fA-F-]{36})(?:[#:/](.+))?$/.exec(id);
  return m ? { workflowId: m[1]!, ...(m[2] ? { stepId: m[2] } : {}) } : { workflowId: id };
}
