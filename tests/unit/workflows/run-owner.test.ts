import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createRunOwner } from '@core/workflows/run-owner';

describe('run owner: whose runs are interrupted', () => {
  const STALE = 60_000;

  it('this core and other live cores of this process are alive; a released one is not', () => {
    const a = createRunOwner();
    const b = createRunOwner();
    expect(a.mayBeAlive(a.id, 0, STALE)).toBe(true);
    expect(a.mayBeAlive(b.id, 10 * STALE, STALE)).toBe(true); // same process, live token: never marked by age
    b.release();
    expect(a.mayBeAlive(b.id, 0, STALE)).toBe(false);
    expect(a.mayBeAlive(`${process.pid}:not-a-token`, 0, STALE)).toBe(false);
    a.release();
  });

  it('a dead pid is gone at once; a live pid of another program counts until its heartbeat is stale', () => {
    const o = createRunOwner();
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(child.stdout);
    expect(o.mayBeAlive(`${deadPid}:tok`, 0, STALE)).toBe(false);
    expect(o.mayBeAlive(`${process.ppid}:tok`, 1_000, STALE)).toBe(true);
    expect(o.mayBeAlive(`${process.ppid}:tok`, STALE + 1, STALE)).toBe(false);
    expect(o.mayBeAlive(null, 0, STALE)).toBe(false);
    expect(o.mayBeAlive('garbage', 0, STALE)).toBe(false);
    o.release();
  });
});
