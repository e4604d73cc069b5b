import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { DatastoreObject } from '@shared/domain/datastore';
import type { IpcError } from '@shared/ipc/result';
import { useApp } from '../../app-context';
import { ErrorBanner } from '../../components/ui';
import { Modal } from '../../components/dialog';
import { formatBytes } from '../../components/format';
import { parseCsv } from './csv-preview';
import { SaveObject } from './object-row';

/** What the preview shows for a content type: an image, a CSV table, pretty JSON, text, or a note to download it. */
function PreviewBody(props: Readonly<{ o: DatastoreObject; data: { base64: string; truncated: boolean } }>) {
  const { data } = props;
  const type = props.o.contentType;
  const text = useMemo(() => new TextDecoder().decode(Uint8Array.from(atob(data.base64), (c) => c.charCodeAt(0))), [data]);
  // SVG is never rendered (it can carry script); a truncated image would be broken.
  if (type.startsWith('image/') && type !== 'image/svg+xml' && !data.truncated) return <img alt={props.o.key} src={`data:${type};base64,${data.base64}`} />;
  if (type === 'text/csv') {
    return (
      <table className="table" data-testid="preview-csv">
        <tbody>
          {parseCsv(text).map((r, i) => (
            <tr key={i}>{r.map((c, j) => (i === 0 ? <th key={j}>{c}</th> : <td key={j}>{c}</td>))}</tr>
          ))}
        </tbody>
      </table>
    );
  }
  if (type.includes('json')) {
    let pretty = text;
    try {
      pretty = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // partial or invalid JSON: show as text
    }
    return <pre data-testid="preview-text">{pretty}</pre>;
  }
  if (type.startsWith('text/') || type.includes('xml') || type.includes('yaml')) return <pre data-testid="preview-text">{text}</pre>;
  return <p className="muted">No preview for {type}. Download it to open it.</p>;
}

/** An object of the selected datastore: its first 256 KiB shown by type, its metadata, and Download / Save as. */
export function ObjectPreviewDialog(props: Readonly<{ o: DatastoreObject; onClose: () => void }>) {
  const { datastores: store } = useApp();
  const [data, setData] = useState<{ base64: string; truncated: boolean } | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  useEffect(() => {
    void store.getState().preview(props.o.key).then((r) => (r.ok ? setData(r.value) : setError(r.error)));
  }, [store, props.o.key]);
  const body: ReactNode = data ? <PreviewBody o={props.o} data={data} /> : <p className="muted">Loading…</p>;
  return (
    <Modal
      wide
      title={props.o.key}
      onClose={props.onClose}
      testId="preview-dialog"
      actions={
        <>
          <button className="secondary" onClick={props.onClose}>
            Close
          </button>
          <SaveObject o={props.o} testId="preview-download" />
        </>
      }
    >
      <p className="muted mono">
        {props.o.contentType} · {formatBytes(props.o.size)} · SHA-256 {props.o.sha256.slice(0, 16)}… · uploaded by {props.o.uploadedBy}
      </p>
      <ErrorBanner error={error} />
      <div className="preview">{body}</div>
      {data?.truncated && <p className="muted">Showing the first 256 KiB.</p>}
    </Modal>
  );
}
