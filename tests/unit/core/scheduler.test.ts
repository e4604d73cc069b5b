import { describe, expect, it } from 'vitest';
import { createScheduler } from '@core/scheduler/scheduler';
import { silentLogger } from '@core/ports';

describe('scheduler', () => {
  it('passes the clock time to every job and keeps going when one job fails', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const s = createScheduler({ clock: { now: () => now }, logger: silentLogger });
    const seen: string[] = [];
    s.register({ name: 'bad', tick: async () => Promise.reject(new Error('x')) });
    s.register({ name: 'good', tick: async (t) => void seen.push(t.toISOString()) });
    await s.runDue();
    now = new Date('2026-01-02T00:00:00Z');
    await s.runDue();
    expect(seen).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z']);
  });

  it('never overlaps a tick with itself', async () => {
    const s = createScheduler({ clock: { now: () => new Date() }, logger: silentLogger });
    let concurrent = 0;
    let max = 0;
    s.register({
      name: 'slow',
      tick: async () => {
        concurrent++;
        max = Math.max(max, concurrent);
        await new Promise((r) => setImmediate(r));
        concurrent--;
      },
    });
    await Promise.all([s.runDue(), s.runDue(), s.runDue()]);
    expect(max).toBe(1);
  });

  it('refuses two jobs with one name', () => {
    const s = createScheduler({ clock: { now: () => new Date() }, logger: silentLogger });
    s.register({ name: 'a', tick: async () => {} });
    expect(() => s.register({ name: 'a', tick: async () => {} })).toThrow(/already registered/);
  });
});
