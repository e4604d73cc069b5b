import { formatTimestamp } from '../../components/format';

/** Secrets show their times to the minute: "2026-05-01 12:34 UTC". */
export const formatUtcMinute = (iso: string): string => `${formatTimestamp(iso).slice(0, 16)} UTC`;
