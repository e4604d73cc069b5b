import { EmptyState, ScreenHeader } from '../components/ui';

/** Screens whose capability has not landed yet say so plainly instead of showing a broken page. */
export function ConnectionsScreen() {
  return (
    <section className="screen" data-testid="screen-connections">
      <ScreenHeader title="Connections" subtitle="Stored credentials for Slack, GitHub, Jira, Datadog and 8 more services." />
      <EmptyState title="No connections yet">Connections arrive in the next release of this app: the catalog of 12 providers, write-only credentials and a live test.</EmptyState>
    </section>
  );
}

export function DatastoresScreen() {
  return (
    <section className="screen" data-testid="screen-datastores">
      <ScreenHeader title="Datastores" subtitle="Object stores on this machine or in S3." />
      <EmptyState title="No datastores yet">Datastores arrive in the next release of this app.</EmptyState>
    </section>
  );
}
