import { Cron } from 'croner';

/**
 * Cron schedules (croner: 5 or 6 fields, IANA time zones). One place reads a schedule, so save-time validation and
 * the scheduler can never disagree on what an expression means.
 */

/** Why `cron`/`timezone` cannot be used (a message naming what to fix), or null. */
export function scheduleIssue(cron: string, timezone: string): { field: 'schedule' | 'timezone'; message: string } | null {
  try {
    Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return { field: 'timezone', message: `timezone "${timezone}" is not an IANA time zone (e.g. UTC, Europe/Paris)` };
  }
  try {
    const next = new Cron(cron, { timezone, paused: true }).nextRun(new Date());
    if (!next) return { field: 'schedule', message: 'schedule never fires: give a cron expression with a future time' };
    return null;
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^CronPattern:\s*/, '') : 'not a cron expression';
    return { field: 'schedule', message: `schedule is not a valid cron expression: ${why}` };
  }
}

/** The first slot strictly after `after`, or null when the expression never fires again. */
export function nextSlot(cron: string, timezone: string, after: Date): Date | null {
  return new Cron(cron, { timezone, paused: true }).nextRun(after);
}
