import { EmptyState, ScreenHeader } from '../components/ui';

/** Screens whose capability has not landed yet say so plainly instead of showing a broken page. */
export function SecretsScreen() {
  return (
    <section className="screen" data-testid="screen-secrets">
      <ScreenHeader title="Secrets" subtitle="An encrypted vault whose master key lives in your OS keychain." />
      <EmptyState title="No secrets yet">The vault arrives in the next release of this app.</EmptyState>
    </section>
  );
}
