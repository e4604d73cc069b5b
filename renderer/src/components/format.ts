/** Sizes, durations and timestamps as the screens show them (and dates in one convention, see formatTimestamp). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/**
 * The one date convention of every screen: local time with its zone ("2026-05-01 14:34:56 CEST"), and the UTC time
 * ("2026-05-01 12:34:56 UTC") in the hover title (see Timestamp in timestamp.tsx). Digits are always
 * year-month-day and 24-hour, whatever the locale, so a table sorts by eye and nobody wonders whether 05/01 is May
 * or January. `timeZone` is for tests; the screens use the machine's zone.
 */
const zoneFormats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = zoneFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    zoneFormats.set(key, f);
  }
  return f;
}

/** Local (or `timeZone`) time with its zone; seconds dropped with `minute`. An unreadable value is shown as it is. */
export function formatTimestamp(iso: string | null | undefined, none = '—', opts: { minute?: boolean; timeZone?: string } = {}): string {
  if (!iso) return none;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p: Record<string, string> = {};
  for (const part of zoneFormat(opts.timeZone).formatToParts(d)) p[part.type] = part.value;
  const time = opts.minute ? `${p.hour}:${p.minute}` : `${p.hour}:${p.minute}:${p.second}`;
  return `${p.year}-${p.month}-${p.day} ${time} ${p.timeZoneName}`;
}

/** The same instant in UTC, for the hover title: "2026-05-01 12:34:56 UTC". */
export function formatUtc(iso: string | null | undefined, none = '—'): string {
  if (!iso) return none;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

/** The zone the screens show times in, for labels such as a date filter's ("GMT+2", "CEST", "UTC"). */
export function localZoneName(at: Date = new Date(), timeZone?: string): string {
  return zoneFormat(timeZone).formatToParts(at).find((x) => x.type === 'timeZoneName')?.value ?? '';
}

/**
 * A datetime-local input's value ("2026-05-01T14:34", local time) as an ISO instant, and back: the audit filter
 * takes local times like the table shows.
 */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
export function isoToLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}
