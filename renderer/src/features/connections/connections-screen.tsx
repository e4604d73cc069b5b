import { useEffect, useState } from 'react';
import { CONNECTION_STATUSES, PROVIDERS, PROVIDER_CATALOG } from '@shared/domain/connection.catalog';
import { useApp, useConnections, useSession } from '../../app-context';
import { EmptyState, ErrorBanner, Screen } from '../../components/ui';
import { shortcutAttributes } from '../../components/shortcuts';
import { ProviderSelect } from '../../components/provider-select';
import { SelectInput } from '../../components/select-input';
import { Timestamp } from '../../components/timestamp';
import type { ConnectionFilters } from './connections-store';
import { ProviderIcon, StatusBadge } from './connection-badges';
import { ConnectionDetailPanel } from './connection-detail-panel';
import { ConnectionSummaryPanel } from './connection-summary-panel';
import { NewConnectionWizard } from './new-connection-wizard';
import { RefreshHealthPanel } from './refresh-health-panel';
import { InlineUnlock, useVaultLocked } from '../vault/inline-unlock';
import './connections.css';
import { useRovingList } from '../../components/use-roving-list';

/**
 * Connections: list (everyone); a selected row's summary, the detail and actions (admins and editors); the
 * new-connection wizard.
 */
export function ConnectionsScreen() {
  const { connections } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  // The session's role decides what is shown; the core enforces the same rules on every call regardless.
  const role = useSession((s) => s.role());
  const canWrite = role === 'admin' || role === 'editor';
  const { items, status, error, nextCursor, filters, selectedId, selected, selectedError } = useConnections((s) => s);
  // A selected row shows the list's fields; the audited detail record only once the admin opens it.
  const summary = selected || selectedError ? undefined : items.find((c) => c.id === selectedId);
  const panel = canWrite && (selected || selectedError || summary);
  const [wizard, setWizard] = useState(false);
  // A new connection seals its credential in the vault (OAuth ones their tokens): not while it is locked.
  const locked = useVaultLocked();
  const rowsRef = useRovingList<HTMLTableElement>('tr[data-testid="connection-row"]');

  useEffect(() => {
    if (!workspaceId) return;
    void connections.getState().load(workspaceId, {});
    return connections.getState().listen(workspaceId);
  }, [workspaceId, connections]);

  const setFilter = (f: ConnectionFilters) => workspaceId && void connections.getState().load(workspaceId, f);

  return (
    <Screen
      testId="screen-connections"
      title="Connections"
      subtitle="Stored credentials for the 12 integrations. Credentials are write-only: once saved they are never shown again."
      primary={canWrite && { label: 'New connection', testId: 'connection-new', onClick: () => setWizard(true), disabled: locked, aside: <InlineUnlock testId="connection-new-unlock" /> }}
    >
      {!canWrite && role && (
        <p className="muted" data-testid="connections-viewer-note">
          Your role ({role}) can see connections and their status. Ask an admin or editor to create, test or change them.
        </p>
      )}
      {wizard && !locked && <NewConnectionWizard onClose={() => setWizard(false)} />}
      <div className="filters">
        <label>
          Provider
          <ProviderSelect testId="connections-filter-provider" providers={PROVIDERS} emptyLabel="All providers" value={filters.provider} onChange={(provider) => setFilter({ ...filters, provider })} />
        </label>
        <label>
          Status
          <SelectInput testId="connections-filter-status" options={CONNECTION_STATUSES} emptyLabel="Any status" value={filters.status} onChange={(s) => setFilter({ ...filters, status: s })} />
        </label>
        <label>
          Search
          <input type="search" data-testid="connections-search" {...shortcutAttributes('search')} placeholder="Name contains…" value={filters.q ?? ''} onChange={(e) => setFilter({ ...filters, q: e.target.value || undefined })} />
        </label>
      </div>
      <ErrorBanner error={error} testId="connections-error" />
      {status === 'ready' && items.length === 0 ? (
        filters.provider || filters.status || filters.q ? (
          <EmptyState title="No connections match" testId="connections-empty">Clear the filters or the search to see every connection.</EmptyState>
        ) : (
          <EmptyState title="No connections yet" testId="connections-empty">
            {canWrite ? 'Click "New connection", pick a provider and enter its credential. Test it before using it in a workflow.' : 'An admin or editor has not created any connection in this workspace yet.'}
          </EmptyState>
        )
      ) : (
        <div className={panel ? 'split' : undefined}>
          <table className="table" data-testid="connections-table" ref={rowsRef}>
            <thead>
              <tr>
                <th aria-label="Icon" />
                <th>Name</th>
                <th>Provider</th>
                <th>Status</th>
                <th>Updated (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr
                  key={c.id}
                  data-testid="connection-row"
                  data-status={c.status}
                  data-provider={c.provider}
                  data-selected={selectedId === c.id ? 'true' : undefined}
                  className={`${selectedId === c.id ? 'row-selected' : ''} ${canWrite ? 'clickable' : ''}`}
                  onClick={canWrite ? () => connections.getState().select(c.id) : undefined}
                >
                  <td>
                    <ProviderIcon provider={c.provider} />
                  </td>
                  <td>{canWrite ? <button className="link" data-testid="connection-open">{c.name}</button> : c.name}</td>
                  <td>{PROVIDER_CATALOG[c.provider].label}</td>
                  <td>
                    <StatusBadge status={c.status} awaitingAuthorization={c.awaitingAuthorization} />
                  </td>
                  <td className="mono"><Timestamp iso={c.updatedAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
          {panel && (
            <div>
              <ErrorBanner error={selectedError} testId="connection-detail-error" />
              {selected && <ConnectionDetailPanel key={selected.id} c={selected} />}
              {summary && <ConnectionSummaryPanel key={summary.id} c={summary} />}
            </div>
          )}
        </div>
      )}
      {nextCursor && (
        <button className="secondary" data-testid="connections-load-more" onClick={() => void connections.getState().loadMore()}>
          Load more
        </button>
      )}
      <RefreshHealthPanel />
    </Screen>
  );
}
