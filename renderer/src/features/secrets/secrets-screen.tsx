import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Secret } from '@shared/domain/secret';
import { useApp, useSecrets, useSession } from '../../app-context';
import { EmptyState, Screen } from '../../components/ui';
import { shortcutAttributes } from '../../components/shortcuts';
import { SecretCreateDialog } from './secret-create-dialog';
import { SecretDetailPanel } from './secret-detail-panel';
import { SecretProblem } from './secret-problem';
import { InlineUnlock, useVaultLocked } from '../vault/inline-unlock';
import './secrets.css';
import { useRovingList } from '../../components/use-roving-list';

const ROW_HEIGHT = 44;
/** Debounce of the search box, so each keystroke does not start a query. */
const SEARCH_DELAY_MS = 200;

/** Secrets: searchable virtual list paged from the keyset API, detail panel, write-only values, audited reveal. */
export function SecretsScreen() {
  const { secrets } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const role = useSession((s) => s.role());
  const { items, status, error, nextCursor, search, selectedId, loadingMore } = useSecrets((s) => s);
  const [draftSearch, setDraftSearch] = useState(search);
  const [creating, setCreating] = useState(false);
  const canWrite = role === 'admin' || role === 'editor';
  const locked = useVaultLocked();
  const rowsRef = useRovingList<HTMLDivElement>('.secret-row');

  useEffect(() => {
    setDraftSearch('');
    if (!workspaceId) return;
    void secrets.getState().load(workspaceId, '');
    const off = secrets.getState().listen(workspaceId);
    return () => {
      off();
      secrets.getState().hide();
    };
  }, [workspaceId, secrets]);

  useEffect(() => {
    if (!workspaceId || draftSearch === secrets.getState().search) return;
    const h = setTimeout(() => void secrets.getState().load(workspaceId, draftSearch), SEARCH_DELAY_MS);
    return () => clearTimeout(h);
  }, [draftSearch, workspaceId, secrets]);

  const parentRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: items.length, getScrollElement: () => parentRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const virtualItems = virtualizer.getVirtualItems();
  const lastIndex = virtualItems.length ? virtualItems[virtualItems.length - 1]!.index : -1;
  useEffect(() => {
    if (nextCursor && !loadingMore && lastIndex >= items.length - 40) void secrets.getState().loadMore();
  }, [lastIndex, items.length, nextCursor, loadingMore, secrets]);

  return (
    <Screen
      testId="screen-secrets"
      title="Secrets"
      subtitle="Credentials encrypted in the vault. Values are write-only: only an admin can reveal one, and every reveal is audited."
      primary={canWrite && { label: 'New secret', testId: 'secret-new', onClick: () => setCreating(true), disabled: locked, aside: <InlineUnlock testId="secret-new-unlock" /> }}
    >
      <SecretProblem error={error} testId="secrets-error" />
      <div className="secrets-layout">
        <div className="secrets-list-pane" ref={rowsRef}>
          <input
            type="search"
            placeholder="Search by name"
            aria-label="Search secrets by any part of the name"
            data-testid="secret-search"
            {...shortcutAttributes('search')}
            value={draftSearch}
            onChange={(e) => setDraftSearch(e.target.value)}
          />
          {status === 'ready' && items.length === 0 ? (
            search ? (
              <EmptyState title="No secret matches" testId="secrets-empty">No secret name contains “{search}”. Clear the search to see all secrets.</EmptyState>
            ) : (
              <EmptyState title="No secrets yet" testId="secrets-empty">
                {canWrite ? 'Click “New secret” to store an API key, password or token; connections and agents reference it by id.' : 'An admin or editor can add secrets to this workspace.'}
              </EmptyState>
            )
          ) : (
            <div ref={parentRef} className="virtual-list" data-testid="secret-list" data-count={items.length}>
              <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
                {virtualItems.map((vi) => {
                  const s = items[vi.index]!;
                  return (
                    <button
                      key={s.id}
                      className={s.id === selectedId ? 'secret-row selected' : 'secret-row'}
                      style={{ position: 'absolute', top: 0, left: 0, width: '100%', height: ROW_HEIGHT, transform: `translateY(${vi.start}px)` }}
                      data-testid="secret-row"
                      data-name={s.name}
                      onClick={() => void secrets.getState().select(s.id)}
                    >
                      <span className="secret-name">{s.name}</span>
                      <SecretBadges s={s} />
                    </button>
                  );
                })}
              </div>
            </div>
          )}
          {loadingMore && <p className="muted">Loading more…</p>}
        </div>
        <div className="secrets-detail-pane">{selectedId ? <SecretDetailPanel /> : <p className="muted">Select a secret to see its versions, schedule, references and last access.</p>}</div>
      </div>
      {creating && !locked && <SecretCreateDialog onClose={() => setCreating(false)} />}
    </Screen>
  );
}

function SecretBadges({ s }: Readonly<{ s: Secret }>) {
  return (
    <span className="secret-badges">
      {s.valueType === 'json' && <span className="badge">JSON</span>}
      {s.generator && <span className="badge">generated</span>}
      {s.rotation?.dueSince && (
        <span className="badge risk-medium" data-testid="rotation-due">
          rotation due
        </span>
      )}
      <span className="muted mono">v{s.version}</span>
    </span>
  );
}
