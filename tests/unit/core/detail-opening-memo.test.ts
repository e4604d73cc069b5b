import { describe, expect, it } from 'vitest';
import { createDetailOpeningMemo } from '@core/connections/detail-opening-memo';

/** The memo of recorded detail openings: bounded, expiring, and it forgets rather than over-remembers. */
describe('detail opening memo', () => {
  const at = (start: number) => {
    let now = start;
    return { clock: { now: () => new Date(now) }, advance: (ms: number) => void (now += ms) };
  };

  it('remembers a key until its TTL has passed since it was remembered', () => {
    const c = at(0);
    const memo = createDetailOpeningMemo(c.clock, 10, 1000);
    expect(memo.seen('a')).toBe(false);
    memo.remember('a');
    c.advance(999);
    expect(memo.seen('a')).toBe(true);
    memo.seen('a');
    c.advance(1);
    expect(memo.seen('a')).toBe(false);
  });

  it('keeps at most `max` keys, dropping the oldest first', () => {
    const c = at(0);
    const memo = createDetailOpeningMemo(c.clock, 3, 1000);
    for (const k of ['a', 'b', 'c', 'd']) {
      memo.remember(k);
      c.advance(1);
    }
    expect(['a', 'b', 'c', 'd'].map((k) => memo.seen(k))).toEqual([false, true, true, true]);
    // Remembering a key again renews it: it becomes the newest.
    memo.remember('b');
    memo.remember('e');
    expect(['b', 'c', 'd', 'e'].map((k) => memo.seen(k))).toEqual([true, false, true, true]);
  });

  it('an expired key does not keep later keys alive or hide them', () => {
    const c = at(0);
    const memo = createDetailOpeningMemo(c.clock, 10, 100);
    memo.remember('old');
    c.advance(50);
    memo.remember('new');
    c.advance(50);
    expect([memo.seen('old'), memo.seen('new')]).toEqual([false, true]);
    c.advance(50);
    expect(memo.seen('new')).toBe(false);
  });
});
