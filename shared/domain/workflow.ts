import { z } from 'zod';
import { ActorSchema } from './actor';
import { IdSchema, PageQuerySchema, TimestampSchema, pageOf } from './common';
import { ReferrerSchema } from './connection';
import { ContentTypeSchema } from './datastore';
import { nameSchema } from './names';
import { RUN_STATUSES, STEP_KINDS, STEP_STATUSES, RUN_TRIGGERS, HTTP_METHODS } from './workflow.catalog';

export { RUN_STATUSES, STEP_KINDS, STEP_STATUSES, RUN_TRIGGERS, HTTP_METHODS } from './workflow.catalog';
export type { RunStatus, StepKind, StepStatus, RunTrigger } from './workflow.catalog';

/**
 * Workflow definitions: the file format an admin writes, exports and imports, and the body of POST/PUT /workflows.
 * `workflowDefinitionJsonSchema()` derives the JSON Schema the editor validates and completes against from these
 * schemas, so the two never drift.
 *
 * Config values are data with two kinds of reference, resolved only when the step runs (never at save time):
 * - `{"$secret": "<secret uuid>"}` anywhere in a config: the secret's current value, injected into that step only;
 * - `{{ path }}` inside a string, where path is `steps.<id>.output…`, `context.fileContent` (the file content handed
 *   on by the step(s) this one `needs`) or `inputs.<name>` (the run's inputs). A string that is exactly one
 *   `{{ path }}` takes the referenced value as is (object, number…); otherwise the value is written into the text.
 * Which ids a definition references (connections, secrets, datastores) is checked at save time against the
 * workspace, and written to the reference index ("Used by").
 */

/** Step ids: short identifiers, so `steps.<id>.output` paths and JSONata expressions can name them. */
export const StepIdSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a step id starts with a letter and has only letters, digits and _ (at most 64)');

/** `{"$secret": "<uuid>"}`: the secret's value at run time. Secret ids are case-sensitive UUIDs. */
export const SecretRefSchema = z.strictObject({ $secret: z.string().min(1).max(100).describe('The id (UUID) of a secret in this workspace') });

/** A config value: JSON, possibly holding `{"$secret"}` objects and `{{ path }}` templates in strings. */
export type ConfigValue = string | number | boolean | null | ConfigValue[] | { [k: string]: ConfigValue };
export const ConfigValueSchema: z.ZodType<ConfigValue> = z.lazy(() =>
  z.union([z.string().max(1_000_000), z.number(), z.boolean(), z.null(), z.array(ConfigValueSchema).max(10_000), z.record(z.string().max(200), ConfigValueSchema)]),
);
/** A string that may be a `{{ path }}` template, or a secret reference. */
const Templated = z.union([z.string().max(1_000_000), SecretRefSchema]);

export const StorageStepConfigSchema = z.strictObject({
  action: z.enum(['get', 'put']),
  datastoreId: IdSchema.describe('A datastore of this workspace'),
  key: z.string().min(1).max(1024).describe('The object key; matched exactly (separators, case). May hold {{ }} templates'),
  /** put: what to write. Default: the output of the one step this step needs (text as is, anything else as JSON). */
  content: ConfigValueSchema.optional(),
  contentType: ContentTypeSchema.optional(),
});
export type StorageStepConfig = z.infer<typeof StorageStepConfigSchema>;

export const HttpStepConfigSchema = z.strictObject({
  connectionId: IdSchema.describe('A connection of this workspace; its credential is injected as the provider expects'),
  method: z.enum(HTTP_METHODS),
  /** Relative to the provider's API base URL (catalog default, or the connection's settings.baseUrl). */
  path: z.string().min(1).max(4096).regex(/^\//, 'path starts with / (it is relative to the provider API base URL)'),
  query: z.record(z.string().max(200), Templated).optional(),
  headers: z.record(z.string().max(200), Templated).optional(),
  body: ConfigValueSchema.optional(),
});
export type HttpStepConfig = z.infer<typeof HttpStepConfigSchema>;

export const TransformStepConfigSchema = z.strictObject({
  /** A JSONata expression evaluated over `{steps, context, inputs}`; its result is the step's output. */
  expression: z.string().min(1).max(100_000),
});
export type TransformStepConfig = z.infer<typeof TransformStepConfigSchema>;

export const RetryPolicySchema = z.strictObject({
  /** Attempts in all (1 = no retry). Only transient errors (rate limited, unavailable, timeouts) are retried. */
  maxAttempts: z.number().int().min(1).max(10).default(3),
  /** First backoff; doubles each attempt (a provider's Retry-After wins when longer). */
  backoffMs: z.number().int().min(0).max(600_000).default(1_000),
});

const stepBase = {
  id: StepIdSchema,
  name: z.string().max(200).optional(),
  needs: z.array(StepIdSchema).max(100).optional(),
  retry: RetryPolicySchema.optional(),
  /** Longest one attempt may take (default 60 s). */
  timeoutMs: z.number().int().min(100).max(3_600_000).optional(),
};

export const WorkflowStepSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...stepBase, kind: z.literal('storage'), config: StorageStepConfigSchema }),
  z.strictObject({ ...stepBase, kind: z.literal('http'), config: HttpStepConfigSchema }),
  z.strictObject({ ...stepBase, kind: z.literal('transform'), config: TransformStepConfigSchema }),
]);
export type WorkflowStep = z.infer<typeof WorkflowStepSchema>;

export const WorkflowNameSchema = nameSchema({ max: 120 });

/** The workflow file format (export/import) and the body of create/update. */
export const WorkflowDefinitionSchema = z.strictObject({
  $schema: z.string().max(2048).optional().describe('Ignored: lets editors find the JSON Schema'),
  name: WorkflowNameSchema,
  description: z.string().max(2000).optional(),
  /** A cron expression (5 or 6 fields), checked on save; runs at most once per slot. */
  schedule: z.string().max(200).nullable().optional(),
  /** IANA time zone the schedule is read in (default UTC). */
  timezone: z.string().max(64).optional(),
  /** Run inputs the workflow accepts, with defaults (`{{ inputs.name }}`). */
  inputs: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()])).optional(),
  steps: z.array(WorkflowStepSchema).min(1, 'a workflow has at least one step').max(1000),
});
export type WorkflowDefinition = z.infer<typeof WorkflowDefinitionSchema>;

/** The JSON Schema of the file format (draft 2020-12), for the editor and GET /workflows/schema. */
export function workflowDefinitionJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(WorkflowDefinitionSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

// ---------- records ----------

export const ActorRefSchema = ActorSchema.pick({ kind: true, id: true, name: true });
export type ActorRef = z.infer<typeof ActorRefSchema>;

export const RunSummarySchema = z.object({
  id: IdSchema,
  workflowId: IdSchema,
  workspaceId: IdSchema,
  version: z.number().int().positive(),
  status: z.enum(RUN_STATUSES),
  trigger: z.enum(RUN_TRIGGERS),
  replayOf: IdSchema.nullable(),
  startedBy: ActorRefSchema,
  queuedAt: TimestampSchema,
  startedAt: TimestampSchema.nullable(),
  endedAt: TimestampSchema.nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
  /** Why the run failed: the failing step and its error (scrubbed), or `interrupted`. */
  error: z.object({ code: z.string(), message: z.string(), stepId: z.string().optional() }).nullable(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const StepErrorSchema = z.object({ code: z.string(), message: z.string() });

export const RunStepSchema = z.object({
  stepId: StepIdSchema,
  kind: z.enum(STEP_KINDS),
  status: z.enum(STEP_STATUSES),
  attempt: z.number().int().nonnegative(),
  startedAt: TimestampSchema.nullable(),
  endedAt: TimestampSchema.nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
  error: StepErrorSchema.nullable(),
  /** Scrubbed of every value injected into the run; capped (see outputTruncated). */
  output: z.unknown().optional(),
  /** The output was bigger than the cap: `output` is a summary (type, size, head), not the value. */
  outputTruncated: z.boolean(),
  /** The run-step level record of which connection the step used (http steps). */
  connectionId: IdSchema.nullable(),
  /** The step was not run again: its output was reused from this earlier run (replay). */
  reusedFrom: IdSchema.nullable(),
});
export type RunStep = z.infer<typeof RunStepSchema>;

export const RunSchema = RunSummarySchema.extend({
  inputs: z.record(z.string(), z.unknown()),
  steps: z.array(RunStepSchema),
});
export type Run = z.infer<typeof RunSchema>;

export const WorkflowSummarySchema = z.object({
  id: IdSchema,
  workspaceId: IdSchema,
  name: z.string(),
  description: z.string(),
  version: z.number().int().positive(),
  schedule: z.string().nullable(),
  timezone: z.string(),
  nextRunAt: TimestampSchema.nullable(),
  stepCount: z.number().int().nonnegative(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  updatedBy: ActorRefSchema,
  lastRun: RunSummarySchema.pick({ id: true, status: true, queuedAt: true, endedAt: true }).nullable(),
});
export type WorkflowSummary = z.infer<typeof WorkflowSummarySchema>;

/** A resource a workflow references, by kind, with the steps that reference it (for pickers and "Used by"). */
export const WorkflowReferenceSchema = z.object({
  type: z.enum(['connection', 'secret', 'datastore']),
  id: z.string(),
  stepIds: z.array(z.string()),
});

export const WorkflowSchema = WorkflowSummarySchema.extend({
  definition: WorkflowDefinitionSchema,
  references: z.array(WorkflowReferenceSchema),
});
export type Workflow = z.infer<typeof WorkflowSchema>;

export const WorkflowVersionSchema = z.object({ version: z.number().int().positive(), createdAt: TimestampSchema, createdBy: ActorRefSchema });

// ---------- inputs ----------

export const WorkflowRefSchema = z.strictObject({ workspaceId: IdSchema, id: IdSchema });
export const WorkflowGetSchema = WorkflowRefSchema.extend({ version: z.number().int().positive().optional() });
export const WorkflowListQuerySchema = PageQuerySchema.extend({ workspaceId: IdSchema, q: z.string().max(200).optional() });
export const WorkflowCreateSchema = z.strictObject({ workspaceId: IdSchema, definition: WorkflowDefinitionSchema });
export const WorkflowUpdateSchema = z.strictObject({
  workspaceId: IdSchema,
  id: IdSchema,
  definition: WorkflowDefinitionSchema,
  /** Optimistic concurrency: refused with CONFLICT when the current version is another. */
  expectedVersion: z.number().int().positive().optional(),
});
/** Validation without saving (the editor): the definition is taken as raw JSON so every problem can be listed. */
export const WorkflowValidateSchema = z.strictObject({ workspaceId: IdSchema, definition: z.unknown() });
export const ValidationIssueSchema = z.object({ field: z.string(), message: z.string() });
export const WorkflowValidationSchema = z.object({ valid: z.boolean(), issues: z.array(ValidationIssueSchema) });

export const RunInputsSchema = z.record(z.string().max(64), z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]));
export const RunStartSchema = WorkflowRefSchema.extend({ inputs: RunInputsSchema.optional() });
export const RunStartedSchema = z.object({ id: IdSchema, status: z.enum(RUN_STATUSES) });
export const RunRefSchema = z.strictObject({ workspaceId: IdSchema, id: IdSchema });
export const RunListQuerySchema = PageQuerySchema.extend({
  workspaceId: IdSchema,
  workflowId: IdSchema.optional(),
  status: z.enum(RUN_STATUSES).optional(),
});
export const RunReplaySchema = RunRefSchema.extend({ from: z.enum(['failed', 'start']).optional() });

export const WorkflowPageSchema = pageOf(WorkflowSummarySchema);
export const RunPageSchema = pageOf(RunSummarySchema);
export { ReferrerSchema };
