import { useEffect, useState } from 'react';
import { useApp, useDatastores } from '../../app-context';
import { formatBytes, formatDuration } from '../../components/format';
import type { UploadItem } from './datastores-store';

/** The upload queue: overall and per-file progress, speed and time left, cancel; a summary when the batch ends. */
export function UploadPanel(props: Readonly<{ uploads: UploadItem[] }>) {
  const { datastores: store } = useApp();
  const batchStartedAt = useDatastores((s) => s.batchStartedAt);
  const [now, setNow] = useState(Date.now());
  const active = props.uploads.some((u) => u.state === 'running' || u.state === 'queued');
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [active]);
  const counted = props.uploads.filter((u) => u.state !== 'skipped' && u.state !== 'cancelled');
  const total = counted.reduce((s, u) => s + u.size, 0);
  const sent = counted.reduce((s, u) => s + u.bytes, 0);
  const elapsed = batchStartedAt ? Math.max(0.001, (now - batchStartedAt) / 1000) : 0;
  const speed = elapsed > 0 ? sent / elapsed : 0;
  const by = (s: string) => props.uploads.filter((u) => u.state === s).length;
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
          <button className="secondary" data-testid="upload-cancel-all" onClick={() => store.getState().cancelAll()}>Cancel all</button>
        ) : (
          <button className="secondary" data-testid="upload-clear" onClick={() => store.getState().clearUploads()}>Clear</button>
        )}
      </div>
      <div className="progress" data-testid="upload-overall" aria-valuenow={total ? Math.round((sent / total) * 100) : 100} role="progressbar">
        <div style={{ width: `${total ? (sent / total) * 100 : 100}%` }} />
      </div>
      {!active && (
        <p data-testid="upload-summary">
          {by('done')} uploaded · {by('skipped')} skipped · {by('cancelled')} cancelled · {by('failed')} failed
        </p>
      )}
      {props.uploads.map((u) => {
        const secs = u.startedAt ? ((u.finishedAt ?? now) - u.startedAt) / 1000 : 0;
        const sp = secs > 0 ? u.bytes / secs : 0;
        return (
          <div key={u.id} className="upload-row" data-testid="upload-row" data-state={u.state} data-key={u.key}>
            <span className="mono" title={u.key}>{u.key}</span>
            <div className="progress" role="progressbar" aria-valuenow={u.size ? Math.round((u.bytes / u.size) * 100) : 100}>
              <div style={{ width: `${u.size ? (u.bytes / u.size) * 100 : u.state === 'done' ? 100 : 0}%` }} />
            </div>
            <span className="muted">
              {u.state === 'running'
                ? `${formatBytes(sp)}/s · ${sp > 0 ? formatDuration((u.size - u.bytes) / sp) : '—'} left`
                : u.state === 'done'
                  ? `${formatBytes(u.size)} in ${secs < 1 ? '<1 s' : formatDuration(secs)}`
                  : u.error ?? (u.state === 'skipped' ? 'already there' : '')}
            </span>
            {u.state === 'running' || u.state === 'queued' ? (
              <button className="link" data-testid="upload-cancel" onClick={() => store.getState().cancelUpload(u.id)}>Cancel</button>
            ) : (
              <span data-testid="upload-state">{u.state}</span>
            )}
          </div>
        );
      })}
    </div>
  );
}
