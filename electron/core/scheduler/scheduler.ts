import type { Clock, Logger } from '../ports';
import { diskFullCode, isBusyError } from '../db/storage-errors';

/**
 * A job is asked, on every tick, to do whatever is due at `now`. Jobs keep their own next-run times in their own
 * tables (so they survive restarts and sleep: a tick after wake-up simply finds everything overdue and catches up),
 * and must be idempotent per due item (claim it in a transaction before acting, so it never runs twice).
 */
export type Job = { name: string; tick: (now: Date) => Promise<void> };

/**
 * The core's scheduler: one timer, ticks at most every `intervalMs`, never overlapping itself (a slow tick makes the
 * next one wait rather than pile up). `runDue()` runs one tick now: tests drive it with a fake clock.
 */
export function createScheduler(deps: { clock: Clock; logger: Logger; intervalMs?: number }) {
  const jobs = new Map<string, Job>();
  const interval = deps.intervalMs ?? 30_000;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  async function runDue(): Promise<void> {
    if (running) return running;
    running = (async () => {
      const now = deps.clock.now();
      for (const job of jobs.values()) {
        try {
          await job.tick(now);
        } catch (e) {
          // Jobs are idempotent per due item, so the next tick simply tries again: say why in words an admin can act on.
          const full = diskFullCode(e);
          if (full !== null) deps.logger.log('error', "the data folder's disk is full", { job: job.name, cause: full });
          else if (isBusyError(e)) deps.logger.log('warn', 'scheduled job deferred: another process holds the database', { job: job.name });
          else deps.logger.log('error', 'scheduled job failed', { job: job.name, error: e instanceof Error ? e.name : 'unknown' });
        }
      }
    })().finally(() => (running = null));
    return running;
  }

  return {
    register(job: Job): void {
      if (jobs.has(job.name)) throw new Error(`job ${job.name} is already registered`);
      jobs.set(job.name, job);
    },
    runDue,
    start(): void {
      if (timer) return;
      void runDue(); // catch up at once after a restart
      timer = setInterval(() => void runDue(), interval);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
export type Scheduler = ReturnType<typeof createScheduler>;
