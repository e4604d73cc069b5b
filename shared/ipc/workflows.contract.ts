import { z } from 'zod';
import {
  RunListQuerySchema,
  RunPageSchema,
  RunRefSchema,
  RunReplaySchema,
  RunSchema,
  RunStartSchema,
  RunStartedSchema,
  RunSummarySchema,
  WorkflowCreateSchema,
  WorkflowDefinitionSchema,
  WorkflowGetSchema,
  WorkflowListQuerySchema,
  WorkflowPageSchema,
  WorkflowRefSchema,
  WorkflowSchema,
  WorkflowUpdateSchema,
  WorkflowValidateSchema,
  WorkflowValidationSchema,
  WorkflowVersionSchema,
} from '../domain/workflow';
import { WorkspaceScopedSchema } from '../domain/common';

/**
 * Workflows (versioned definitions) and their runs. Every output is scrubbed data: no secret value ever travels
 * here (run outputs and errors are scrubbed of the values injected into the run before they are stored).
 */
export const workflowsContract = {
  'workflows:list': { input: WorkflowListQuerySchema, output: WorkflowPageSchema },
  'workflows:get': { input: WorkflowGetSchema, output: WorkflowSchema },
  'workflows:create': { input: WorkflowCreateSchema, output: WorkflowSchema },
  'workflows:update': { input: WorkflowUpdateSchema, output: WorkflowSchema },
  'workflows:delete': { input: WorkflowRefSchema, output: z.strictObject({ id: z.string(), deleted: z.literal(true) }) },
  'workflows:versions': { input: WorkflowRefSchema, output: z.object({ items: z.array(WorkflowVersionSchema) }) },
  /** Checks a definition as save would (schema, DAG, references, cron) without saving; for the editor. */
  'workflows:validate': { input: WorkflowValidateSchema, output: WorkflowValidationSchema },
  /** The JSON Schema of the workflow file format. */
  'workflows:schema': { input: WorkspaceScopedSchema, output: z.record(z.string(), z.unknown()) },
  /** The definition file of the current (or given) version, with `$schema`: what "Export" saves and import reads. */
  'workflows:export': { input: WorkflowGetSchema, output: WorkflowDefinitionSchema },
  'workflows:run': { input: RunStartSchema, output: RunStartedSchema },
  'runs:list': { input: RunListQuerySchema, output: RunPageSchema },
  'runs:get': { input: RunRefSchema, output: RunSchema },
  'runs:cancel': { input: RunRefSchema, output: RunSummarySchema },
  'runs:replay': { input: RunReplaySchema, output: RunStartedSchema },
} as const;
