import { describe, expect, it } from 'vitest';
import type { Actor } from '@shared/domain/actor';
import { TicketSchema, type TicketGrant } from '@shared/ipc/rest.contract';
import { createConsoleTicketService, TICKET_TTL_MS } from '@core/http/console-ticket-service';
import { AppError } from '@core/errors';

const WS = '11111111-1111-4111-8111-111111111111';
const DS = '22222222-2222-4222-8222-222222222222';
const viewer: Actor = { kind: 'user', id: 'u1', name: 'vera', origin: '127.0.0.1' };
const download = (key = 'a/b.csv'): TicketGrant => ({ purpose: 'download', workspaceId: WS, datastoreId: DS, key });

function setup(opts: { maxLive?: number; deny?: boolean } = {}) {
  let t = Date.parse('2026-05-01T10:00:00Z');
  const asserted: string[] = [];
  const access = {
    assert: (_a: Actor, ws: string, op: string) => {
      asserted.push(`${ws}:${op}`);
      if (opts.deny) throw new AppError('FORBIDDEN', 'your role (viewer) do not allow datastore.object_read');
    },
  };
  const tickets = createConsoleTicketService({ clock: { now: () => new Date(t) }, access, maxLive: opts.maxLive });
  return { tickets, asserted, advance: (ms: number) => void (t += ms) };
}

/** The AppError a call throws, as {code, field, message}. */
function refusal(fn: () => unknown): { code: string; field?: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return { code: e.code, field: e.field, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('console tickets', () => {
  it('are `<id>.<secret>` with a 256-bit secret, expire a minute after issue, and open their grant once as their actor', () => {
    const { tickets } = setup();
    const t = tickets.issue(viewer, download());
    expect(TicketSchema.safeParse(t.ticket).success).toBe(true);
    expect(Buffer.from(t.ticket.split('.')[1]!, 'base64url')).toHaveLength(32);
    expect(t.expiresAt).toBe('2026-05-01T10:01:00.000Z');
    expect(tickets.redeem(t.ticket, download())).toEqual(viewer);
    expect(refusal(() => tickets.redeem(t.ticket, download()))).toMatchObject({ code: 'UNAUTHENTICATED', field: 'ticket', message: expect.stringMatching(/already used/) });
  });

  it('are random: no two alike', () => {
    const { tickets } = setup();
    const seen = new Set(Array.from({ length: 200 }, () => tickets.issue(viewer, { purpose: 'events' }).ticket));
    expect(seen.size).toBe(200);
  });

  it('work up to the last millisecond of their minute, not at its end', () => {
    const { tickets, advance } = setup();
    const a = tickets.issue(viewer, { purpose: 'events' });
    const b = tickets.issue(viewer, { purpose: 'events' });
    advance(TICKET_TTL_MS - 1);
    expect(tickets.redeem(a.ticket, { purpose: 'events' })).toEqual(viewer);
    advance(1);
    expect(refusal(() => tickets.redeem(b.ticket, { purpose: 'events' }))).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/expired/) });
  });

  it('refuse another purpose or another object with 403, and are spent by it', () => {
    const { tickets } = setup();
    const e = tickets.issue(viewer, { purpose: 'events' });
    expect(refusal(() => tickets.redeem(e.ticket, download()))).toMatchObject({ code: 'FORBIDDEN', message: 'this ticket is for an event stream, not a download' });
    expect(refusal(() => tickets.redeem(e.ticket, { purpose: 'events' })).code).toBe('UNAUTHENTICATED');
    for (const other of [download('a/B.csv'), { ...download(), datastoreId: WS }, { ...download(), workspaceId: DS }] as TicketGrant[]) {
      const d = tickets.issue(viewer, download());
      expect(refusal(() => tickets.redeem(d.ticket, other))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/another object/) });
      expect(refusal(() => tickets.redeem(d.ticket, download())).code).toBe('UNAUTHENTICATED');
    }
  });

  it('refuse a forged secret, another spelling of the same bits, and garbage, without spending the real one', () => {
    const { tickets } = setup();
    const t = tickets.issue(viewer, download());
    const [id, secret] = t.ticket.split('.') as [string, string];
    // 43 base64url characters hold 258 bits: the last one's two low bits are padding, so 'A'↔'B' may decode alike.
    const last = secret.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBits = secret.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
    expect(Buffer.from(sameBits, 'base64url').equals(Buffer.from(secret, 'base64url'))).toBe(true);
    const flipped = (secret[0] === 'A' ? 'B' : 'A') + secret.slice(1);
    for (const bad of [`${id}.${sameBits}`, `${id}.${flipped}`, `${'A'.repeat(22)}.${secret}`, 'x', '', `${t.ticket}=`]) {
      expect(refusal(() => tickets.redeem(bad, download())), bad).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/not valid/) });
    }
    expect(tickets.redeem(t.ticket, download())).toEqual(viewer);
  });

  it('check read access when a download ticket is minted (an events ticket needs none)', () => {
    const ok = setup();
    ok.tickets.issue(viewer, download());
    ok.tickets.issue(viewer, { purpose: 'events' });
    expect(ok.asserted).toEqual([`${WS}:datastore.object_read`]);
    const denied = setup({ deny: true });
    expect(refusal(() => denied.tickets.issue(viewer, download())).code).toBe('FORBIDDEN');
  });

  it('keep the grant they were minted with, whatever the caller does with its object afterwards', () => {
    const { tickets } = setup();
    const grant = download();
    const t = tickets.issue(viewer, grant);
    (grant as { key: string }).key = 'other.csv';
    expect(refusal(() => tickets.redeem(t.ticket, download('other.csv'))).code).toBe('FORBIDDEN');
  });

  it('bound how many wait to be used; used and expired ones make room; old ones are forgotten', () => {
    const { tickets, advance } = setup({ maxLive: 2 });
    const a = tickets.issue(viewer, { purpose: 'events' });
    tickets.issue(viewer, { purpose: 'events' });
    expect(refusal(() => tickets.issue(viewer, { purpose: 'events' })).code).toBe('RATE_LIMITED');
    tickets.redeem(a.ticket, { purpose: 'events' });
    tickets.issue(viewer, { purpose: 'events' });
    advance(TICKET_TTL_MS);
    const fresh = tickets.issue(viewer, { purpose: 'events' });
    tickets.issue(viewer, { purpose: 'events' });
    // Long after, a spent or expired ticket is simply not valid any more (its entry is gone).
    advance(60 * 60_000);
    tickets.issue(viewer, { purpose: 'events' });
    expect(refusal(() => tickets.redeem(fresh.ticket, { purpose: 'events' })).message).toMatch(/not valid/);
  });
});
