import { RUN_MESSAGES } from '@shared/domain/workflow.catalog';

/**
 * A step error in plain words: what the admin can do about it. Matched on the docs' messages (RUN_MESSAGES) and on
 * the error codes the http step classifies responses with, so an unknown error still gets the general advice.
 */
export type StepError = { code: string; message: string };

/** What an admin can do about a step's error, in plain words; `fix` says where (the connection to open). */
export function adviceFor(e: StepError, hasConnection: boolean): { advice: string; fix?: 'connection' } {
  const m = e.message.toLowerCase();
  if (m.includes(RUN_MESSAGES.connectionPaused)) return { advice: 'Nothing was sent. Resume the connection in Connections, then replay this run.', fix: 'connection' };
  if (m.includes(RUN_MESSAGES.connectionNotFound))
    return { advice: 'The connection was deleted or belongs to another workspace. Pick one with “Insert connection”, save, and run again.' };
  if (m.includes('secret') && m.includes('not found')) return { advice: 'Pick an existing secret with “Insert secret”, save, and run again.' };
  if (m.startsWith('interrupted')) return { advice: 'The app stopped while this run was in progress. Replay it to finish.' };
  if (/auth_failed|invalid_credential|unauthenticated|unauthorized|revoked|authentication/.test(`${e.code} ${m}`.toLowerCase()))
    return { advice: 'The provider refused the credential. Update or re-authorize it in Connections, then replay from the failed step.', fix: hasConnection ? 'connection' : undefined };
  if (/scope|forbidden|insufficient/.test(`${e.code} ${m}`.toLowerCase()))
    return { advice: 'The credential lacks a permission this call needs. Grant the scope at the provider, then replay.', fix: hasConnection ? 'connection' : undefined };
  if (/rate_limited|rate limit|too many/.test(`${e.code} ${m}`.toLowerCase())) return { advice: 'The provider is rate limiting. Wait a little, then replay from the failed step.' };
  if (/timeout|timed out|unavailable/.test(`${e.code} ${m}`.toLowerCase())) return { advice: 'The provider did not answer in time. Replay from the failed step when it is reachable.' };
  return { advice: 'Fix the step in the definition (or what it uses), save, and replay from the failed step.' };
}

