import { useState } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { useSecrets, useSession } from '../../app-context';
import { RevealControl, RevealedValue } from './secret-reveal';
import { SecretDeleteDialog } from './secret-delete-dialog';
import { formatMinute as fmt } from './secret-format';
import { SecretProblem } from './secret-problem';
import { SecretReferences } from './secret-references';
import { SecretRotateDialog } from './secret-rotate-dialog';
import { SecretScheduleEditor } from './secret-schedule-editor';
import { InlineUnlock, useVaultLocked } from '../vault/inline-unlock';
import { CopyButton } from '../../components/copy-button';
import { ClipboardCountdown } from './secret-clipboard-countdown';
import { SecretEditDialog } from './secret-edit-dialog';
import { SecretRollbackDialog } from './secret-rollback-dialog';
import { versionSource } from './secret-version-source';

/** The selected secret: metadata (never the value unless revealed), actions by role, versions, references. */
export function SecretDetailPanel() {
  const detail = useSecrets((s) => s.detail);
  const detailError = useSecrets((s) => s.detailError);
  const role = useSession((s) => s.role());
  const [dialog, setDialog] = useState<'rotate' | 'delete' | 'edit' | null>(null);
  const [rollbackTo, setRollbackTo] = useState<number | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const locked = useVaultLocked();
  if (detailError) return <SecretProblem error={detailError} testId="secret-detail-error" />;
  if (!detail) return <p className="muted">Loading…</p>;
  const s = detail.secret;
  const isAdmin = role === 'admin';
  const canWrite = isAdmin || role === 'editor';
  return (
    <div className="card" data-testid="secret-detail" data-secret-id={s.id}>
      <div className="secret-title">
        <h2 data-testid="secret-detail-name">{s.name}</h2>
        {canWrite && (
          <button className="secondary" data-testid="secret-edit" onClick={() => setDialog('edit')}>
            Edit…
          </button>
        )}
      </div>
      {s.description && <p data-testid="secret-detail-description">{s.description}</p>}
      <dl className="meta">
        <dt>ID</dt>
        <dd className="secret-id">
          <span className="mono" data-testid="secret-detail-id">
            {s.id}
          </span>{' '}
          <CopyButton text={s.id} testId="secret-copy-id" label="Copy ID" className="secondary small" />
        </dd>
        <dt>Value</dt>
        <dd data-testid="secret-value-hidden">
          {s.valueType === 'json' ? 'JSON object' : 'text'}, version {s.version}
          {s.generator ? ` · generated (${s.generator.length} ${s.generator.alphabet})` : ''} · write-only
        </dd>
        <dt>Created</dt>
        <dd>{fmt(s.createdAt)}</dd>
        <dt>Last rotated</dt>
        <dd>{s.lastRotatedAt ? fmt(s.lastRotatedAt) : 'never'}</dd>
        <dt>Last access</dt>
        <dd data-testid="secret-last-access">{detail.lastAccess ? `${fmt(detail.lastAccess.at)} by ${detail.lastAccess.actorName} from ${detail.lastAccess.origin}` : 'never revealed'}</dd>
      </dl>
      <SecretProblem error={error} testId="secret-action-error" />
      <div className="form-row">
        {isAdmin && <RevealControl id={s.id} onError={setError} disabled={locked} />}
        {canWrite && (
          <button className="secondary" data-testid="secret-rotate" disabled={locked} onClick={() => setDialog('rotate')}>
            Rotate…
          </button>
        )}
        {canWrite && (
          <button className="danger" data-testid="secret-delete" onClick={() => setDialog('delete')}>
            Delete…
          </button>
        )}
        {(isAdmin || canWrite) && <InlineUnlock testId="secret-actions-unlock" label="Values need the vault." />}
      </div>
      <RevealedValue id={s.id} />
      <ClipboardCountdown />
      <SecretScheduleEditor detail={detail} canWrite={canWrite} onError={setError} />
      <h3>Versions</h3>
      <table className="table" data-testid="secret-versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Source</th>
            <th>When</th>
            <th>By</th>
            {isAdmin && <th />}
          </tr>
        </thead>
        <tbody>
          {detail.versions.map((v) => (
            <tr key={v.version} data-testid="secret-version-row">
              <td>
                v{v.version}
                {v.version === s.version ? ' (current)' : ''}
              </td>
              <td data-testid="secret-version-source">{versionSource(v)}</td>
              <td>{fmt(v.createdAt)}</td>
              <td>{v.createdBy}</td>
              {isAdmin && (
                <td>
                  {v.version !== s.version && (
                    <button className="link" data-testid="secret-rollback" disabled={locked} onClick={() => setRollbackTo(v.version)}>
                      Roll back to this…
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">The last 10 versions are kept encrypted; older ones are deleted when a new version is added.</p>
      <h3>References</h3>
      {detail.references.length === 0 ? (
        <p className="muted" data-testid="secret-references-none">
          Nothing references this secret yet.
        </p>
      ) : (
        <SecretReferences references={detail.references} testId="secret-references" />
      )}
      {dialog === 'rotate' && !locked && <SecretRotateDialog secret={s} onClose={() => setDialog(null)} />}
      {dialog === 'delete' && <SecretDeleteDialog detail={detail} onClose={() => setDialog(null)} />}
      {dialog === 'edit' && <SecretEditDialog secret={s} onClose={() => setDialog(null)} />}
      {rollbackTo !== null && !locked && <SecretRollbackDialog secret={s} version={rollbackTo} onClose={() => setRollbackTo(null)} />}
    </div>
  );
}
