import { formatTimestamp, formatUtc } from './format';

/**
 * A date as every screen shows it: local time with its zone, the UTC time on hover, the instant in `dateTime`
 * (see formatTimestamp). `none` where there is no date.
 */
export function Timestamp(props: Readonly<{ iso: string | null | undefined; none?: string; minute?: boolean; testId?: string; className?: string }>) {
  if (!props.iso) return <span data-testid={props.testId}>{props.none ?? '—'}</span>;
  return (
    <time dateTime={props.iso} title={formatUtc(props.iso)} data-testid={props.testId} className={props.className}>
      {formatTimestamp(props.iso, props.none, { minute: props.minute })}
    </time>
  );
}
