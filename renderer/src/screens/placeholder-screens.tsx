import { EmptyState, ScreenHeader } from '../components/ui';

/** Screens whose capability has not landed yet say so plainly instead of showing a broken page. */
export function DatastoresScreen() {
  return (
    <section className="screen" data-testid="screen-datastores">
      <ScreenHeader title="Datastores" subtitle="Object stores on this machine or in S3." />
      <EmptyState title="No datastores yet">Datastores arrive in the next release of this app.</EmptyState>
    </section>
  );
}
