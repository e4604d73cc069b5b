/** An option as a bare value (shown as is) or with a label. */
export type SelectOption<T extends string> = T | Readonly<{ value: T; label: string }>;

type BaseProps<T extends string> = {
  options: readonly SelectOption<T>[];
  testId?: string;
  ariaLabel?: string;
  disabled?: boolean;
};
/** With `emptyLabel`: a first choice meaning "none" (a filter's "All …", an optional field's default), as undefined. */
type OptionalProps<T extends string> = BaseProps<T> & { emptyLabel: string; value: T | undefined; onChange: (value: T | undefined) => void };
type RequiredProps<T extends string> = BaseProps<T> & { emptyLabel?: undefined; value: T; onChange: (value: T) => void };

/**
 * The app's one `<select>` over a fixed list of values (filters, roles, providers, enum fields). The value types
 * stay narrow: the options are the only values it can hand back.
 */
export function SelectInput<T extends string>(props: Readonly<OptionalProps<T>>): React.JSX.Element;
export function SelectInput<T extends string>(props: Readonly<RequiredProps<T>>): React.JSX.Element;
export function SelectInput<T extends string>(props: Readonly<OptionalProps<T> | RequiredProps<T>>) {
  return (
    <select
      data-testid={props.testId}
      aria-label={props.ariaLabel}
      disabled={props.disabled}
      value={props.value ?? ''}
      onChange={(e) => (props.onChange as (v: T | undefined) => void)((e.target.value || undefined) as T | undefined)}
    >
      {props.emptyLabel !== undefined && <option value="">{props.emptyLabel}</option>}
      {props.options.map((o) => {
        const { value, label } = typeof o === 'string' ? { value: o, label: o } : o;
        return (
          <option key={value} value={value}>
            {label}
          </option>
        );
      })}
    </select>
  );
}
