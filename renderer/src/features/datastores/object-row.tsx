import { useState } from 'react';
import type { DatastoreObject } from '@shared/domain/datastore';
import type { IpcError } from '@shared/ipc/result';
import { useApp } from '../../app-context';
import { CopyButton } from '../../components/copy-button';
import { formatBytes } from '../../components/format';
import { Timestamp } from '../../components/timestamp';

/** Hands a URL to the browser's own download (an anchor with `download`, clicked, removed). */
function followDownload(url: string, name: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

/**
 * Download where the shell can link to the bytes (the console); otherwise "Save as…" through the OS dialog. The
 * console's link is asked for at the click: it carries a one-use ticket for this object, never the console token.
 */
export function SaveObject(props: Readonly<{ o: DatastoreObject; testId: string }>) {
  const { datastores: store } = useApp();
  const [result, setResult] = useState<{ path: string } | IpcError | null>(null);
  const name = props.o.key.split('/').pop() || 'download';
  if (store.getState().canLinkDownloads) {
    const download = async () => {
      setResult(null);
      const r = await store.getState().downloadUrl(props.o.key);
      if (r.ok) followDownload(r.value, name);
      else setResult(r.error);
    };
    return (
      <>
        <button className="link" data-testid={props.testId} onClick={() => void download()}>
          Download
        </button>
        {result && 'code' in result && (
          <span className="danger-text" role="alert" data-testid={`${props.testId}-error`} title={result.message}>
            {result.message}
          </span>
        )}
      </>
    );
  }
  return (
    <>
      <button className="link" data-testid={`${props.testId}-save-as`} onClick={() => void store.getState().saveObjectAs(props.o.key).then(setResult)}>
        Save as…
      </button>
      {result && 'path' in result && (
        <span className="muted" data-testid="object-saved" title={result.path}>
          Saved
        </span>
      )}
      {result && 'code' in result && (
        <span className="danger-text" role="alert" title={result.message}>
          {result.message}
        </span>
      )}
    </>
  );
}

/** One object of the browser: key (opens the preview), size, time, and its actions. */
export function ObjectRow(props: Readonly<{ o: DatastoreObject; prefix: string; canWrite: boolean; onPreview: () => void; onDelete: () => void }>) {
  const { o } = props;
  return (
    <>
      <button className="link key" data-testid="object-row" data-key={o.key} title={o.key} onClick={props.onPreview}>
        {o.key.slice(props.prefix.length)}
      </button>
      <span className="muted">{formatBytes(o.size)}</span>
      <Timestamp className="muted" iso={o.updatedAt} minute />
      <span className="row-actions">
        <CopyButton text={o.key} className="link" label="Copy key" testId="object-copy-key" />
        <SaveObject o={o} testId="object-download" />
        {props.canWrite && (
          <button className="link danger-text" data-testid="object-delete" onClick={props.onDelete}>
            Delete
          </button>
        )}
      </span>
    </>
  );
}
