import { z } from 'zod';
import type { Actor } from '@shared/domain/actor';
import { contract, type Channel, type Output, type ParsedInput } from '@shared/ipc/contract';
import { fail, ok, type IpcResult } from '@shared/ipc/result';
import { AppError } from '../errors';
import type { Logger } from '../ports';

export type HandlerContext = { actor: Actor };
export type Handler<C extends Channel> = (input: ParsedInput<C>, ctx: HandlerContext) => Output<C> | Promise<Output<C>>;
export type Handlers = { [C in Channel]: Handler<C> };

export const isChannel = (x: unknown): x is Channel => typeof x === 'string' && Object.hasOwn(contract, x);

/** First zod issue as a sentence that names the field, e.g. "name: name is required". */
export function describeZodError(err: z.ZodError): { message: string; field?: string } {
  const issue = err.issues[0];
  if (!issue) return { message: 'invalid input' };
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return { message: `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`, field: issue.keys[0] };
  }
  return field ? { message: `${field}: ${issue.message}`, field } : { message: issue.message };
}

export function toFailure(e: unknown, logger: Logger, channel: string): IpcResult<never> {
  if (e instanceof AppError) {
    const f = fail(e.code, e.message, e.field);
    if (e.retryAfter !== undefined && !f.ok) f.error.retryAfter = e.retryAfter;
    return f;
  }
  if (e instanceof z.ZodError) {
    const d = describeZodError(e);
    return fail('INVALID_INPUT', d.message, d.field);
  }
  // Unknown errors may carry library text (even request bodies): log the type only, show a generic message.
  logger.log('error', 'unexpected error', { channel, errorName: e instanceof Error ? e.name : typeof e });
  return fail('INTERNAL', 'something went wrong inside the app; the details are in the app log');
}

/**
 * The one validated entry point behind every transport (Electron IPC, the headless HTTP bridge, tests):
 * unknown channel → NOT_FOUND, bad input → INVALID_INPUT before any handler runs, errors → envelope.
 */
export async function dispatch(
  handlers: Handlers,
  channel: unknown,
  raw: unknown,
  ctx: HandlerContext,
  logger: Logger,
): Promise<IpcResult<unknown>> {
  if (!isChannel(channel)) return fail('NOT_FOUND', `unknown channel: ${String(channel).slice(0, 80)}`);
  const parsed = contract[channel].input.safeParse(raw);
  if (!parsed.success) {
    const d = describeZodError(parsed.error);
    return fail('INVALID_INPUT', d.message, d.field);
  }
  try {
    const handler = handlers[channel] as (i: unknown, c: HandlerContext) => unknown;
    return ok(await handler(parsed.data, ctx));
  } catch (e) {
    return toFailure(e, logger, channel);
  }
}
