import { formatTimestamp } from '../../components/format';

/** Secrets show their times to the minute, in the one date convention: "2026-05-01 14:34 CEST". */
export const formatMinute = (iso: string): string => formatTimestamp(iso, '—', { minute: true });
