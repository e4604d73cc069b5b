import { useState } from 'react';
import type { DatastoreObject } from '@shared/domain/datastore';
import type { IpcError } from '@shared/ipc/result';
import { useApp } from '../../app-context';
import { CopyButton } from '../../components/copy-button';
import { formatBytes } from '../../components/format';

/** Download where the shell can link to the bytes (the console); otherwise "Save as…" through the OS dialog. */
export function SaveObject(props: Readonly<{ o: DatastoreObject; testId: string }>) {
  const { datastores: store } = useApp();
  const [result, setResult] = useState<{ path: string } | IpcError | null>(null);
  const downloadUrl = store.getState().downloadUrl(props.o.key);
  if (downloadUrl) {
    return (
      <a className="link" data-testid={props.testId} href={downloadUrl} download={props.o.key.split('/').pop()}>
        Download
      </a>
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
      <span className="muted" title={o.updatedAt}>{new Date(o.updatedAt).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })}</span>
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
