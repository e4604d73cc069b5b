/** Plain data, no zod: the renderer imports this file for values (status badges, filters), keeping zod out of its bundle. */

/** Step kinds the core's registry knows. A new kind adds its name here, its config schema, and one core module. */
export const STEP_KINDS = ['storage', 'http', 'transform'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** queued → running → succeeded | failed | cancelled. A run in progress when its process died ends failed (interrupted). */
export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** `reused`: a replay took the step's output from the earlier run; `skipped`: an earlier step failed or the run was cancelled. */
export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'cancelled', 'skipped', 'reused'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const RUN_TRIGGERS = ['manual', 'schedule', 'replay'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];

/**
 * The run-time messages of the product docs, word for word where the docs give them. Steps fail with these so an
 * admin can search the troubleshooting pages for what they see.
 */
export const RUN_MESSAGES = {
  connectionNotFound: 'connection not found',
  connectionPaused: 'connection is paused',
  secretNotFound: (id: string) => `secret ${id} not found — secret ids are case-sensitive UUIDs`,
  interrupted: 'interrupted: the app stopped while this run was in progress; replay it to finish',
} as const;
