import { PROVIDER_CATALOG, type Provider } from '@shared/domain/connection.catalog';
import { SelectInput } from './select-input';

/** Providers by their catalog label: the connections filter (all 12, with "All providers") and the OAuth app form. */
export function ProviderSelect<P extends Provider>(
  props: Readonly<{ providers: readonly P[]; testId: string; disabled?: boolean } & ({ emptyLabel: string; value: P | undefined; onChange: (p: P | undefined) => void } | { emptyLabel?: undefined; value: P; onChange: (p: P) => void })>,
) {
  const options = props.providers.map((p) => ({ value: p, label: PROVIDER_CATALOG[p].label }));
  return props.emptyLabel !== undefined ? (
    <SelectInput options={options} testId={props.testId} disabled={props.disabled} emptyLabel={props.emptyLabel} value={props.value} onChange={props.onChange} />
  ) : (
    <SelectInput options={options} testId={props.testId} disabled={props.disabled} value={props.value} onChange={props.onChange} />
  );
}
