import { useState } from 'react';
import type { UploadUrl } from '@shared/domain/datastore';
import { useApp } from '../../app-context';
import { ErrorBanner } from '../../components/ui';
import { FormDialog } from '../../components/form';
import { CopyButton } from '../../components/copy-button';
import { FormActions } from '../../components/form-actions';
import { useAction } from '../../components/use-action';
import { Timestamp } from '../../components/timestamp';

const WRAP = { whiteSpace: 'pre-wrap', wordBreak: 'break-all' } as const;

/** A signed upload URL for one key of the selected datastore, with the curl command that uses it. */
export function UploadUrlDialog(props: Readonly<{ prefix: string; onClose: () => void }>) {
  const { datastores: store } = useApp();
  const [key, setKey] = useState(props.prefix);
  const [contentType, setContentType] = useState('application/octet-stream');
  const [minutes, setMinutes] = useState('15');
  const [result, setResult] = useState<UploadUrl | null>(null);
  const { busy, error, run } = useAction();
  const curl = result
    ? `curl -X PUT "${result.url}" ${Object.entries(result.headers).map(([h, v]) => `-H "${h}: ${v}"`).join(' ')} --data-binary @file`
    : '';
  const create = () =>
    run(async () => {
      const r = await store.getState().createUploadUrl({ key, contentType, expiresIn: Math.max(1, Number(minutes)) * 60 });
      if (!r.ok) return r.error;
      setResult(r.value);
      return null;
    });
  return (
    <FormDialog wide title="Get upload URL" testId="upload-url-dialog" onClose={props.onClose} onSubmit={create}>
      <label>
        Key (exactly as workflows will read it)
        <input data-testid="upload-url-key" value={key} onChange={(e) => setKey(e.target.value)} />
      </label>
      <label>
        Content type
        <input data-testid="upload-url-type" value={contentType} onChange={(e) => setContentType(e.target.value)} />
      </label>
      <label>
        Valid for (minutes)
        <input type="number" min={1} max={10080} value={minutes} onChange={(e) => setMinutes(e.target.value)} />
      </label>
      <ErrorBanner error={error} />
      {result && (
        <div className="stack" data-testid="upload-url-result">
          <p className="muted">Anyone with this URL can upload to this key until <Timestamp iso={result.expiresAt} />. PUT the file with these headers and no auth header:</p>
          <pre className="mono" style={WRAP} data-testid="upload-url-value">{result.url}</pre>
          <pre className="mono" style={WRAP}>{curl}</pre>
          <CopyButton text={curl} label="Copy curl command" />
        </div>
      )}
      <FormActions submitLabel="Create URL" busy={busy} submitTestId="upload-url-create" onCancel={props.onClose} cancelLabel="Close" />
    </FormDialog>
  );
}
