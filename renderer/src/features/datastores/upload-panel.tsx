import { useEffect, useState } from 'react';
import { useApp } from '../../app-context';
import { formatBytes, formatDuration } from '../../components/format';
import type { UploadItem } from './datastores-store';
import './datastores.css';

const STATE_LABEL: Record<UploadItem['state'], string> = {
  queued: 'Queued',
  running: 'Sending',
  done: 'Uploaded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  skipped: 'Skipped',
};

/**
 * One datastore's upload queue (shown in that datastore's view): overall and per-file progress, speed and time left,
 * cancel; a summary when the batch ends. A failed file is red with the reason and Retry; its bytes do not count as
 * sent, so the overall bar never reads "complete" over a failure.
 */
export function UploadPanel(props: Readonly<{ datastoreId: string; uploads: UploadItem[] }>) {
  const { datastores: store } = useApp();
  const [now, setNow] = useState(Date.now());
  const active = props.uploads.some((u) => u.state === 'running' || u.state === 'queued');
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [active]);
  const counted = props.uploads.filter((u) => u.state !== 'skipped' && u.state !== 'cancelled');
  const total = counted.reduce((s, u) => s + u.size, 0);
  const sent = counted.reduce((s, u) => s + (u.state === 'failed' ? 0 : u.bytes), 0);
  const startedAt = Math.min(...props.uploads.map((u) => u.startedAt ?? Infinity));
  const elapsed = Number.isFinite(startedAt) ? Math.max(0.001, (now - startedAt) / 1000) : 0;
  const speed = elapsed > 0 ? sent / elapsed : 0;
  const by = (s: string) => props.uploads.filter((u) => u.state === s).length;
  const failed = by('failed');
  const percent = total ? Math.round((sent / total) * 100) : failed > 0 ? 0 : 100;
  return (
    <div className="card uploads" data-testid="upload-panel">
      <div className="browser-bar">
        <h2 style={{ margin: 0 }}>Uploads</h2>
        <span className="muted" data-testid="upload-overall-text">
          {formatBytes(sent)} of {formatBytes(total)}
          {active && speed > 0 ? ` · ${formatBytes(speed)}/s · ${formatDuration((total - sent) / speed)} left` : ''}
        </span>
        <span style={{ flex: 1 }} />
        {active ? (
          <button className="secondary" data-testid="upload-cancel-all" onClick={() => store.getState().cancelAll(props.datastoreId)}>
            Cancel all
          </button>
        ) : (
          <button className="secondary" data-testid="upload-clear" onClick={() => store.getState().clearUploads(props.datastoreId)}>
            Clear
          </button>
        )}
      </div>
      <div className={failed > 0 ? 'progress failed' : 'progress'} data-testid="upload-overall" aria-valuenow={percent} role="progressbar" aria-label="All uploads">
        <div style={{ width: `${percent}%` }} />
      </div>
      {!active && (
        <p data-testid="upload-summary" className={failed > 0 ? 'danger-text' : undefined}>
          {by('done')} uploaded · {by('skipped')} skipped · {by('cancelled')} cancelled · {failed} failed
        </p>
      )}
      {props.uploads.map((u) => {
        const secs = u.startedAt ? ((u.finishedAt ?? now) - u.startedAt) / 1000 : 0;
        const sp = secs > 0 ? u.bytes / secs : 0;
        const isFailed = u.state === 'failed';
        const width = isFailed ? 100 : u.size ? (u.bytes / u.size) * 100 : u.state === 'done' ? 100 : 0;
        return (
          <div key={u.id} className={isFailed ? 'upload-row failed' : 'upload-row'} data-testid="upload-row" data-state={u.state} data-key={u.key}>
            <span className="mono" title={u.key}>
              {u.key}
            </span>
            <div
              className={isFailed ? 'progress failed' : 'progress'}
              role="progressbar"
              aria-label={`Upload of ${u.key}`}
              aria-valuenow={isFailed ? 0 : u.size ? Math.round((u.bytes / u.size) * 100) : 100}
            >
              <div style={{ width: `${width}%` }} />
            </div>
            {isFailed ? (
              <span className="danger-text" data-testid="upload-error">
                {u.error ?? 'the upload failed'}
              </span>
            ) : (
              <span className="muted">
                {u.state === 'running'
                  ? `${formatBytes(sp)}/s · ${sp > 0 ? formatDuration((u.size - u.bytes) / sp) : '—'} left`
                  : u.state === 'done'
                    ? `${formatBytes(u.size)} in ${secs < 1 ? '<1 s' : formatDuration(secs)}`
                    : u.state === 'skipped'
                      ? 'already there'
                      : ''}
              </span>
            )}
            {u.state === 'running' || u.state === 'queued' ? (
              <button className="link" data-testid="upload-cancel" onClick={() => store.getState().cancelUpload(u.id)}>
                Cancel
              </button>
            ) : isFailed ? (
              <span className="upload-actions">
                <span className="danger-text" data-testid="upload-state">
                  {STATE_LABEL.failed}
                </span>
                <button className="link" data-testid="upload-retry" onClick={() => void store.getState().retryUpload(u.id)}>
                  Retry
                </button>
              </span>
            ) : (
              <span data-testid="upload-state">{STATE_LABEL[u.state]}</span>
            )}
          </div>
        );
      })}
    </div>
  );
}
