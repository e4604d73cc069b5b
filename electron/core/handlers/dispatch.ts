import { z } from 'zod';
import type { Actor } from '@shared/domain/actor';
import { contract, type Channel, type Output, type ParsedInput } from '@shared/ipc/contract';
import { fail, ok, type IpcError, type IpcResult } from '@shared/ipc/result';
import { AppError, BUSY_MESSAGE, STORAGE_FULL_MESSAGE } from '../errors';
import { diskFullCode, isBusyError } from '../db/storage-errors';
import type { Logger } from '../ports';
import { MAX_INPUT_DEPTH, TOO_DEEP_MESSAGE, valueTooDeep } from './input-depth';

export type HandlerContext = { actor: Actor };
export type Handler<C extends Channel> = (input: ParsedInput<C>, ctx: HandlerContext) => Output<C> | Promise<Output<C>>;
export type Handlers = { [C in Channel]: Handler<C> };

export const isChannel = (x: unknown): x is Channel => typeof x === 'string' && Object.hasOwn(contract, x);

/**
 * The zod issue a caller is told about, as a sentence that names the field, e.g. "name: name is required". An
 * unknown field wins over the others: `{nme: …}` is answered "unknown field: nme", the typo, rather than the
 * "name is required" it causes. Fields inside objects are named by their path (`restApi.colour`).
 */
export function describeZodError(err: z.ZodError): { message: string; field?: string } {
  const issue = err.issues.find((i) => i.code === 'unrecognized_keys') ?? err.issues[0];
  if (!issue) return { message: 'invalid input' };
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((k) => (field ? `${field}.${k}` : k));
    return { message: `unknown field${names.length > 1 ? 's' : ''}: ${names.join(', ')}`, field: names[0] };
  }
  return field ? { message: `${field}: ${issue.message}`, field } : { message: issue.message };
}

/** What a caller is told when the cause may not be shown (it could quote a request body or a library's internals). */
const HIDDEN: Record<'INTERNAL' | 'UNAUTHENTICATED', string> = {
  INTERNAL: 'something went wrong inside the app; the details are in the app log',
  UNAUTHENTICATED: 'authentication failed',
};

/**
 * The one mapping from anything thrown to the error a caller sees, for every transport (IPC, the console bridge,
 * REST, the streaming routes). An AppError keeps its code, message, field and retryAfter; a ZodError becomes
 * INVALID_INPUT naming the field; storage failures get their own codes (below); anything else is logged by type
 * only and answered with `fallback` and a fixed message, so library text never reaches a response.
 *
 * Storage, decided here once so IPC, REST and the console agree (HTTP_STATUS gives the statuses):
 * - a full disk (SQLITE_FULL, ENOSPC, EDQUOT anywhere under the request) → STORAGE_FULL, 507, logged once at error
 *   level with the error's code (never its message, which may quote a path or SQL);
 * - a database another process keeps locked past the busy timeout (SQLITE_BUSY) → BUSY, 503, retryAfter 1.
 */
export function toIpcError(e: unknown, logger: Logger, where: string, fallback: 'INTERNAL' | 'UNAUTHENTICATED' = 'INTERNAL'): IpcError {
  if (e instanceof AppError) {
    if (e.code === 'STORAGE_FULL') logger.log('error', "the data folder's disk is full", { channel: where, cause: 'STORAGE_FULL' });
    const out: IpcError = { code: e.code, message: e.message };
    if (e.field !== undefined) out.field = e.field;
    if (e.retryAfter !== undefined) out.retryAfter = e.retryAfter;
    return out;
  }
  if (e instanceof z.ZodError) {
    const d = describeZodError(e);
    return d.field === undefined ? { code: 'INVALID_INPUT', message: d.message } : { code: 'INVALID_INPUT', message: d.message, field: d.field };
  }
  const full = diskFullCode(e);
  if (full !== null) {
    logger.log('error', "the data folder's disk is full", { channel: where, cause: full });
    return { code: 'STORAGE_FULL', message: STORAGE_FULL_MESSAGE };
  }
  if (isBusyError(e)) {
    logger.log('warn', 'database busy: another process holds the write lock', { channel: where });
    return { code: 'BUSY', message: BUSY_MESSAGE, retryAfter: 1 };
  }
  logger.log('error', 'unexpected error', { channel: where, errorName: e instanceof Error ? e.name : typeof e });
  return { code: fallback, message: HIDDEN[fallback] };
}

/** toIpcError as the failed envelope. */
export function toFailure(e: unknown, logger: Logger, channel: string): IpcResult<never> {
  return { ok: false, error: toIpcError(e, logger, channel) };
}

/**
 * The one validated entry point behind every transport (Electron IPC, the headless HTTP bridge, tests):
 * unknown channel → NOT_FOUND, bad input → INVALID_INPUT before any handler runs, errors → envelope. Input nested
 * deeper than MAX_INPUT_DEPTH is bad input before the schema (which recurses) reads it.
 */
export async function dispatch(
  handlers: Handlers,
  channel: unknown,
  raw: unknown,
  ctx: HandlerContext,
  logger: Logger,
): Promise<IpcResult<unknown>> {
  // Named by its text only when it is text: String() throws on an object without a prototype.
  if (!isChannel(channel)) return fail('NOT_FOUND', `unknown channel: ${typeof channel === 'string' ? channel.slice(0, 80) : `(a ${typeof channel})`}`);
  if (valueTooDeep(raw, MAX_INPUT_DEPTH)) return fail('INVALID_INPUT', TOO_DEEP_MESSAGE);
  const parsed = contract[channel].input.safeParse(raw);
  if (!parsed.success) return toFailure(parsed.error, logger, channel);
  try {
    const handler = handlers[channel] as (i: unknown, c: HandlerContext) => unknown;
    return ok(await handler(parsed.data, ctx));
  } catch (e) {
    return toFailure(e, logger, channel);
  }
}
