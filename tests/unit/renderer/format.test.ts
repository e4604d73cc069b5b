import { describe, expect, it } from 'vitest';
import { formatBytes, formatTimestamp, formatUtc, isoToLocalInput, localInputToIso, localZoneName } from '../../../renderer/src/components/format';

/** The one date convention of the screens: local time with its zone, UTC in the hover title. */
describe('formatTimestamp', () => {
  const summer = '2026-07-01T12:34:56.789Z';
  const winter = '2026-01-15T23:05:09Z';

  it('shows the time in the given zone, year-month-day and 24-hour, with the zone named', () => {
    expect(formatTimestamp(summer, '—', { timeZone: 'Europe/Berlin' })).toBe('2026-07-01 14:34:56 CEST');
    expect(formatTimestamp(winter, '—', { timeZone: 'Europe/Berlin' })).toBe('2026-01-16 00:05:09 CET');
    expect(formatTimestamp(summer, '—', { timeZone: 'UTC' })).toBe('2026-07-01 12:34:56 UTC');
    // A zone behind UTC moves the date back; midnight is 00, not 24.
    expect(formatTimestamp('2026-03-01T04:00:00Z', '—', { timeZone: 'America/New_York' })).toMatch(/^2026-02-28 23:00:00 (EST|GMT-5)$/);
    expect(formatTimestamp('2026-03-01T00:00:00Z', '—', { timeZone: 'UTC' })).toBe('2026-03-01 00:00:00 UTC');
  });

  it('drops the seconds when asked (the secrets screen shows minutes)', () => {
    expect(formatTimestamp(summer, '—', { timeZone: 'Asia/Kolkata', minute: true })).toMatch(/^2026-07-01 18:04 (IST|GMT\+5:30)$/);
  });

  it('says `none` where there is no date, and shows an unreadable value as it is', () => {
    expect(formatTimestamp(null)).toBe('—');
    expect(formatTimestamp(undefined, 'never')).toBe('never');
    expect(formatTimestamp('')).toBe('—');
    expect(formatTimestamp('not a date')).toBe('not a date');
  });

  it('uses the machine zone by default (the same instant as Date gives)', () => {
    const shown = formatTimestamp(summer);
    const d = new Date(summer);
    const two = (n: number) => String(n).padStart(2, '0');
    expect(shown.startsWith(`${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} `)).toBe(true);
    expect(shown.endsWith(` ${localZoneName(d)}`)).toBe(true);
  });
});

describe('formatUtc (the hover title)', () => {
  it('is the instant in UTC, to the second, saying so', () => {
    expect(formatUtc('2026-07-01T12:34:56.789Z')).toBe('2026-07-01 12:34:56 UTC');
    expect(formatUtc('2026-07-01T14:34:56+02:00')).toBe('2026-07-01 12:34:56 UTC');
    expect(formatUtc(null, 'never')).toBe('never');
    expect(formatUtc('garbage')).toBe('garbage');
  });
});

describe('the date filter (datetime-local inputs take local time, like the table shows)', () => {
  it('turns a local input value into the ISO instant and back', () => {
    const iso = localInputToIso('2026-07-01T14:30');
    expect(iso).toBe(new Date(2026, 6, 1, 14, 30).toISOString());
    expect(isoToLocalInput(iso)).toBe('2026-07-01T14:30');
    expect(localInputToIso('')).toBeUndefined();
    expect(localInputToIso('nonsense')).toBeUndefined();
    expect(isoToLocalInput(undefined)).toBe('');
  });

  it('names the zone for the filter label', () => {
    expect(localZoneName(new Date('2026-07-01T00:00:00Z'), 'Europe/Berlin')).toBe('CEST');
    expect(localZoneName(new Date('2026-07-01T00:00:00Z'), 'UTC')).toBe('UTC');
  });
});

describe('formatBytes', () => {
  it('keeps bytes under 1 KiB and one decimal under 10 units', () => {
    expect(formatBytes(20)).toBe('20 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MiB');
  });
});
