import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor } from '@shared/domain/actor';
import type { TicketGrant, TicketIssued } from '@shared/ipc/rest.contract';
import type { AccessService } from '../access/access-service';
import { AppError } from '../errors';
import type { Clock } from '../ports';

/** How long a ticket opens its URL. Enough to follow a link just asked for; too short to be worth stealing from a log. */
export const TICKET_TTL_MS = 60_000;
/** Tickets alive (unexpired and unused) at once; beyond that minting is refused (a runaway client, not a user). */
export const MAX_LIVE_TICKETS = 10_000;
/** How long a spent or expired ticket is remembered, so a late use is told "used" or "expired" rather than "not valid". */
const REMEMBER_MS = 10 * 60_000;

const ID_BYTES = 16;
/** The secret half: 256 random bits. */
const SECRET_BYTES = 32;
const b64len = (bytes: number) => Math.ceil((bytes * 4) / 3);
const TICKET_SHAPE = new RegExp(`^([A-Za-z0-9_-]{${b64len(ID_BYTES)}})\\.([A-Za-z0-9_-]{${b64len(SECRET_BYTES)}})$`);

/** `secret` is the text of the secret half as issued: comparing text refuses another spelling of the same bits. */
type Entry = { secret: Buffer; actor: Actor; grant: TicketGrant; expiresAt: number; used: boolean };

const TICKET_FIELD = 'ticket';
const unauthenticated = (message: string) => new AppError('UNAUTHENTICATED', message, TICKET_FIELD);
const NOT_VALID = 'the ticket is not valid: ask the console for a new one (POST /console/tickets)';

const describe = (g: TicketGrant) => (g.purpose === 'download' ? 'a download' : 'an event stream');

function sameObject(a: TicketGrant, b: TicketGrant): boolean {
  if (a.purpose !== 'download' || b.purpose !== 'download') return a.purpose === b.purpose;
  return a.workspaceId === b.workspaceId && a.datastoreId === b.datastoreId && a.key === b.key;
}

/**
 * Short-lived, single-purpose tickets for the console's URLs that cannot carry headers: a download link and the
 * event stream (EventSource). A ticket is minted for the console's caller (the OS admin, or the signed-in user) over
 * the header-authenticated POST /console/tickets, and is the only credential such a URL carries, so the console
 * token and a user's JWT never reach a URL (browser history, logs, Referer).
 *
 * What must stay true:
 * - a ticket opens exactly what it was minted for: one object of one datastore of one workspace (purpose
 *   `download`), or one event stream (`events`); anything else is refused and the ticket is burnt, since a ticket
 *   shown in the wrong place may have leaked;
 * - it works once, within TICKET_TTL_MS of the core clock; the secret half is compared in constant time (the id half
 *   only finds the entry);
 * - it carries the actor that minted it, and grants nothing by itself: the service that serves the URL checks that
 *   actor's access at use, so a role removed in between is honoured. Minting a download ticket checks read access
 *   too, only so the console can say "not allowed" before the browser starts a download that would fail.
 * Tickets live in memory: they die with the process, as the console token does.
 */
export function createConsoleTicketService(deps: { clock: Clock; access: Pick<AccessService, 'assert'>; ttlMs?: number; maxLive?: number }) {
  const ttl = deps.ttlMs ?? TICKET_TTL_MS;
  const maxLive = deps.maxLive ?? MAX_LIVE_TICKETS;
  const entries = new Map<string, Entry>();
  const now = () => deps.clock.now().getTime();

  function prune(at: number): number {
    let live = 0;
    for (const [id, e] of entries) {
      if (e.expiresAt + REMEMBER_MS <= at) entries.delete(id);
      else if (!e.used && e.expiresAt > at) live++;
    }
    return live;
  }

  /** A ticket for `grant`, acting as `actor` when used. Throws FORBIDDEN when the actor may not read the object. */
  function issue(actor: Actor, grant: TicketGrant): TicketIssued {
    if (grant.purpose === 'download') deps.access.assert(actor, grant.workspaceId, 'datastore.object_read');
    const at = now();
    if (prune(at) >= maxLive) {
      throw new AppError('RATE_LIMITED', `more than ${maxLive} tickets are waiting to be used; try again in a minute`, undefined, Math.ceil(ttl / 1000));
    }
    let id = randomBytes(ID_BYTES).toString('base64url');
    while (entries.has(id)) id = randomBytes(ID_BYTES).toString('base64url');
    const secret = randomBytes(SECRET_BYTES).toString('base64url');
    const expiresAt = at + ttl;
    entries.set(id, { secret: Buffer.from(secret, 'ascii'), actor, grant: structuredClone(grant), expiresAt, used: false });
    return { ticket: `${id}.${secret}`, expiresAt: new Date(expiresAt).toISOString() };
  }

  /**
   * Spends `ticket` on `want` and returns the actor it was minted for. 401 (field `ticket`) when it is malformed,
   * unknown, forged, expired or already used; 403 when it was minted for another purpose or another object.
   */
  function redeem(ticket: string, want: TicketGrant): Actor {
    const m = TICKET_SHAPE.exec(ticket);
    if (!m) throw unauthenticated(NOT_VALID);
    const entry = entries.get(m[1]!);
    const presented = Buffer.from(m[2]!, 'ascii');
    if (!entry || presented.length !== entry.secret.length || !timingSafeEqual(presented, entry.secret)) throw unauthenticated(NOT_VALID);
    if (entry.used) throw unauthenticated('the ticket was already used: a ticket opens one download or one event stream; ask the console for a new one');
    if (entry.expiresAt <= now()) throw unauthenticated(`the ticket has expired (tickets last ${Math.round(ttl / 1000)} s); ask the console for a new one`);
    entry.used = true;
    if (entry.grant.purpose !== want.purpose) throw new AppError('FORBIDDEN', `this ticket is for ${describe(entry.grant)}, not ${describe(want)}`, TICKET_FIELD);
    if (!sameObject(entry.grant, want)) throw new AppError('FORBIDDEN', 'this ticket is for another object: ask for a ticket for this one', TICKET_FIELD);
    return entry.actor;
  }

  return { issue, redeem };
}
export type ConsoleTicketService = ReturnType<typeof createConsoleTicketService>;
