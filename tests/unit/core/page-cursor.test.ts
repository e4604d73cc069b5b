import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '@core/errors';
import { INVALID_CURSOR, pageCursor } from '@core/db/cursor';

const WS = '11111111-1111-4111-8111-111111111111';
const OTHER_WS = '22222222-2222-4222-8222-222222222222';
const seqs = pageCursor('audit', z.number().int().positive());
const names = pageCursor('secrets', z.string().min(1).max(1000));

function refusal(fn: () => unknown): { code: string; message: string; field?: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return { code: (e as AppError).code, message: (e as AppError).message, field: (e as AppError).field };
  }
  throw new Error('expected a refusal');
}

describe('pageCursor: a cursor is read back only by the list and workspace that gave it', () => {
  it('round-trips its key', () => {
    expect(seqs.decode(WS, seqs.encode(WS, 42))).toBe(42);
    for (const name of ['café-db', 'a"b\\c', '\uD800lone', 'x'.repeat(200)]) expect(names.decode(WS, names.encode(WS, name))).toBe(name);
  });

  const forged: Array<[string, string]> = [
    ['garbage', 'not-a-cursor!!'],
    ['random base64', Buffer.from('c8a1f0e2d4b3a9', 'hex').toString('base64url')],
    ['a bare key (the old format)', Buffer.from('42').toString('base64url')],
    ['another list', pageCursor('users', z.number().int().positive()).encode(WS, 42)],
    ['another workspace', seqs.encode(OTHER_WS, 42)],
    ['a key of the wrong type', pageCursor('audit', z.string()).encode(WS, 'zzz')],
    ['a key out of range', pageCursor('audit', z.number()).encode(WS, -5)],
    ['a truncated cursor', seqs.encode(WS, 42).slice(0, -3)],
    ['stray characters', `${seqs.encode(WS, 42)}$$`],
    ['padding', `${seqs.encode(WS, 42)}==`],
    ['empty', ''],
    ['JSON that is not the layout', Buffer.from('{"a":1}').toString('base64url')],
    ['a future format', Buffer.from(JSON.stringify([2, 'x', 42])).toString('base64url')],
  ];
  it.each(forged)('%s → 400 invalid cursor', (_label, cursor) => {
    expect(refusal(() => seqs.decode(WS, cursor))).toEqual({ code: 'INVALID_INPUT', message: INVALID_CURSOR, field: 'cursor' });
  });

  it('shows neither the list nor the workspace', () => {
    const text = Buffer.from(seqs.encode(WS, 42), 'base64url').toString('utf8');
    expect(text).not.toContain(WS);
    expect(text).not.toContain('audit');
  });
});
