import type { Actor } from '@shared/domain/actor';
import type { StepKind } from '@shared/domain/workflow';

/**
 * One step kind of the registry (steps/<kind>-step.ts). The runner resolves the step's config (templates, `$secret`)
 * before `run` is called, so a kind sees plain values; it never stores anything itself: what it returns is scrubbed
 * and recorded by the runner.
 *
 * What must stay true for every kind:
 * - access is checked by the services it calls, with `ctx.actor` (whoever started the run);
 * - it honours `ctx.signal` (cancel, timeout) and never waits unboundedly;
 * - it throws `StepError` (or an AppError) with a plain message; `transient: true` only for what a retry can fix
 *   (rate limited, unavailable, timeouts), with `retryAfterMs` when the provider said so.
 */
export type StepContext = {
  actor: Actor;
  workspaceId: string;
  runId: string;
  stepId: string;
  attempt: number;
  signal: AbortSignal;
  /**
   * Records the run-step level "which connection this step used" (and the connection.used audit row). Throws when
   * the run's actor may not use connections (connection.use) or the connection is not in this workspace
   * ("connection not found"); call it before fetching the credential.
   */
  useConnection(connectionId: string): void;
  /**
   * Registers a value the kind injects (a credential, a header built from one): it is scrubbed from every output and
   * error of the run from now on, like the `{"$secret"}` values the runner resolved.
   */
  injected(value: string): void;
  /** The outputs of the steps this step needs, in `needs` order (full values, not the capped stored form). */
  needed: ReadonlyArray<{ stepId: string; output: unknown }>;
  /** The outputs of every step this one (transitively) needs, by step id: what `steps.<id>.output` may reach. */
  outputs: ReadonlyMap<string, unknown>;
  /** The run's inputs (defaults ∪ given). */
  inputs: Readonly<Record<string, unknown>>;
};

export type StepResult = { output: unknown };

export type StepKindModule<Config = unknown> = {
  kind: StepKind;
  /** Ids this config references, by type (checked against the workspace at save time; "Used by"). */
  references(config: Config): { connections?: string[]; datastores?: string[] };
  run(config: Config, ctx: StepContext): Promise<StepResult>;
};

/** A step failure with a code an admin can act on; `transient` errors are retried with backoff. */
export class StepError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly opts: { transient?: boolean; retryAfterMs?: number; authFailure?: boolean } = {},
  ) {
    super(message);
    this.name = 'StepError';
  }
}
