import { z } from 'zod';
import { IdSchema } from '../domain/common';
import {
  ConnectionCreateSchema,
  ConnectionDeleteSchema,
  ConnectionDetailSchema,
  ConnectionGetSchema,
  ConnectionListQuerySchema,
  ConnectionPageSchema,
  ConnectionRefSchema,
  ConnectionSchema,
  ConnectionTestDraftSchema,
  ConnectionTestResultSchema,
  ConnectionUpdateSchema,
} from '../domain/connection';

/**
 * Connections. No output here has a credential field, and the outputs are strict objects, so a credential that
 * slipped into a record would fail the output parse in tests.
 */
export const connectionsContract = {
  'connections:list': { input: ConnectionListQuerySchema, output: ConnectionPageSchema },
  /** The detail record: emits connection.accessed (high), once per `openingId` and actor when one is given. */
  'connections:get': { input: ConnectionGetSchema, output: ConnectionDetailSchema },
  'connections:create': { input: ConnectionCreateSchema, output: ConnectionSchema },
  'connections:update': { input: ConnectionUpdateSchema, output: ConnectionSchema },
  'connections:delete': { input: ConnectionDeleteSchema, output: z.object({ id: IdSchema, deleted: z.literal(true) }) },
  'connections:test': { input: ConnectionRefSchema, output: ConnectionTestResultSchema },
  'connections:testDraft': { input: ConnectionTestDraftSchema, output: ConnectionTestResultSchema },
  /**
   * The one exception to "no credential in an output": a connection's credential for a local program the caller
   * runs (the CLI's `exec`). Checked as connection.use and audited as connection.used; refused when paused.
   */
  'connections:credential': {
    input: ConnectionRefSchema,
    output: z.strictObject({ credential: z.string(), credentialFields: z.record(z.string(), z.string()) }),
  },
} as const;
