import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '@shared/domain/actor';
import { TicketSchema, type TicketGrant } from '@shared/ipc/rest.contract';
import { localActor, type Core } from '../index';
import { AppError } from '../errors';
import { userActor } from './rest/auth';
import { createConsoleTicketService } from './console-ticket-service';

export const CONSOLE_TOKEN_HEADER = 'x-console-token';
/** A user's JWT on the console bridge: the console then acts as that user, with their role, not as the OS admin. */
export const USER_TOKEN_HEADER = 'x-user-token';

/** Query parameters that would put a credential in a URL (browser history, logs, Referer), with what to do instead. */
const CREDENTIALS_IN_URL: Readonly<Record<string, string>> = {
  token: 'the console token goes in the x-console-token header, never in a URL (links and the event stream take a ticket: POST /console/tickets)',
  user: "a user's token goes in the x-user-token header, never in a URL (links and the event stream take a ticket: POST /console/tickets)",
};

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Who is calling the console's own routes. Headers carry the credentials: x-console-token (random per launch) and,
 * when a user is signed in, x-user-token. URLs that cannot send headers (a download link, EventSource) carry a
 * ticket instead, minted over the headers (console-ticket-service.ts). What must stay true: no console route
 * accepts the console token or a user's JWT from the query string; one given there is a 401 naming the parameter,
 * even beside the right header, so a client that leaks it learns at once.
 */
export function createConsoleAuth(core: Core, consoleToken: string) {
  const tickets = createConsoleTicketService({ clock: core.clock, access: core.access });

  /** 401 when the query holds a credential. */
  function refuseCredentialsInUrl(req: FastifyRequest): void {
    const query = (req.query ?? {}) as Record<string, unknown>;
    for (const [name, message] of Object.entries(CREDENTIALS_IN_URL)) {
      if (Object.hasOwn(query, name)) throw new AppError('UNAUTHENTICATED', message, name);
    }
  }

  /** The console token in its header, compared in constant time; and no credential in the URL. Throws UNAUTHENTICATED. */
  function assertConsoleToken(req: FastifyRequest): void {
    refuseCredentialsInUrl(req);
    const token = req.headers[CONSOLE_TOKEN_HEADER];
    if (typeof token !== 'string' || token === '' || !safeEqual(token, consoleToken)) {
      throw new AppError('UNAUTHENTICATED', 'the console token is missing or wrong; open the URL printed by npm run serve');
    }
  }

  /**
   * The console's caller: the OS admin (console token), or with x-user-token as well, the signed-in local user
   * with their own role. The user token never replaces the console token: both gates must pass.
   */
  async function actor(req: FastifyRequest): Promise<Actor> {
    assertConsoleToken(req);
    const userToken = req.headers[USER_TOKEN_HEADER];
    if (userToken === undefined) return localActor(core.config, req.ip);
    if (typeof userToken !== 'string' || userToken === '') throw new AppError('UNAUTHENTICATED', 'x-user-token must hold one token; sign in again');
    return userActor(core, userToken, req.ip);
  }

  /**
   * The ticket of a URL that takes one (?ticket=), well-formed, before the rest of the query is read. 401 when it is
   * missing or malformed, or when the URL holds a credential instead.
   */
  function ticketIn(req: FastifyRequest): string {
    refuseCredentialsInUrl(req);
    const t = ((req.query ?? {}) as Record<string, unknown>).ticket;
    if (t === undefined || t === '') throw new AppError('UNAUTHENTICATED', 'this URL needs a ticket: ask POST /console/tickets for one (with the x-console-token header)', 'ticket');
    if (!TicketSchema.safeParse(t).success) throw new AppError('UNAUTHENTICATED', 'the ticket is not valid: ask the console for a new one (POST /console/tickets)', 'ticket');
    return t as string;
  }

  return {
    assertConsoleToken,
    actor,
    ticketIn,
    /** A ticket for the caller of `req` (console token, user token). */
    issue: async (req: FastifyRequest, grant: TicketGrant) => tickets.issue(await actor(req), grant),
    /** Spends a ticket on what the URL asks for; the actor it was minted for. See ConsoleTicketService.redeem. */
    redeem: (ticket: string, want: TicketGrant): Actor => tickets.redeem(ticket, want),
  };
}
export type ConsoleAuth = ReturnType<typeof createConsoleAuth>;
