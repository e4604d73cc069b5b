import { useState } from 'react';
import type { BackendInput } from '@shared/domain/datastore';
import { useApp } from '../../app-context';
import { useCan } from '../../access';
import { ErrorBanner } from '../../components/ui';
import { FormDialog } from '../../components/form';
import { FormActions } from '../../components/form-actions';
import { SelectInput } from '../../components/select-input';
import { useAction } from '../../components/use-action';
import { s3BackendProblems } from '@shared/domain/s3-backend.catalog';
import { FieldError, bannerError, errorFor } from '../../components/field-error';

type BackendType = BackendInput['type'];
const BACKENDS: ReadonlyArray<{ value: BackendType; label: string }> = [
  { value: 'filesystem', label: 'This machine (encrypted at rest)' },
  { value: 's3', label: 'S3 or S3-compatible bucket' },
];
const S3_FIELDS = [
  { key: 'endpoint', label: 'Endpoint (empty for AWS)', placeholder: 'https://s3.example.com' },
  { key: 'region', label: 'Region' },
  { key: 'bucket', label: 'Bucket' },
  { key: 'prefix', label: 'Key prefix (optional)' },
] as const;

/**
 * New datastore: a folder on this machine (encrypted at rest) or an S3 bucket (its secret key goes to the vault).
 * Only an admin may name a folder (it lets the app write wherever its OS user can); others get the managed folder,
 * and the core refuses a folder from them anyway.
 */
export function DatastoreCreateDialog(props: Readonly<{ onClose: () => void }>) {
  const { datastores: store } = useApp();
  const mayChooseFolder = useCan()('datastore.manage_folder');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [type, setType] = useState<BackendType>('filesystem');
  const [fsPath, setFsPath] = useState('');
  const [s3, setS3] = useState({ endpoint: '', region: 'us-east-1', bucket: '', prefix: '', forcePathStyle: false, accessKeyId: '', secretAccessKey: '' });
  const { busy, error, setError, run } = useAction();
  // Errors next to their fields (the API's names: name, backend.bucket…): what the dialog sees before submit once
  // Create was pressed, else the server's; a field's error clears as soon as it changes.
  const [tried, setTried] = useState(false);
  const local = type === 's3' ? s3BackendProblems(s3) : {};
  const fieldError = (f: string) => (tried ? local[f] : undefined) ?? errorFor(error, f);
  const fields = ['name', 'description', 'backend.path', ...['endpoint', 'region', 'bucket', 'prefix', 'accessKeyId', 'secretAccessKey'].map((k) => `backend.${k}`)];
  const edited = (f: string) => error?.field === f && setError(null);

  const submit = async () => {
    setTried(true);
    if (Object.keys(local).length > 0) return setError(null);
    const backend: BackendInput =
      type === 'filesystem'
        ? { type, ...(fsPath && mayChooseFolder ? { path: fsPath } : {}) }
        : { type, region: s3.region, bucket: s3.bucket, forcePathStyle: s3.forcePathStyle, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, ...(s3.endpoint ? { endpoint: s3.endpoint } : {}), ...(s3.prefix ? { prefix: s3.prefix } : {}) };
    if (!(await run(() => store.getState().create({ name, ...(description ? { description } : {}), backend })))) props.onClose();
  };
  const s3Input = (k: 'endpoint' | 'region' | 'bucket' | 'prefix' | 'accessKeyId' | 'secretAccessKey', label: string, extra: Record<string, string> = {}) => (
    <label key={k}>
      {label}
      <input
        data-testid={`datastore-s3-${k}`}
        value={s3[k]}
        aria-invalid={!!fieldError(`backend.${k}`)}
        onChange={(e) => {
          setS3({ ...s3, [k]: e.target.value });
          edited(`backend.${k}`);
        }}
        {...extra}
      />
      <FieldError message={fieldError(`backend.${k}`)} testId={`datastore-s3-${k}-error`} />
    </label>
  );

  return (
    <FormDialog wide title="New datastore" testId="datastore-create-dialog" onClose={props.onClose} onSubmit={submit}>
      <label>
        Name
        <input
          data-testid="datastore-name"
          value={name}
          aria-invalid={!!fieldError('name')}
          onChange={(e) => {
            setName(e.target.value);
            edited('name');
          }}
          autoFocus
        />
        <FieldError message={fieldError('name')} testId="datastore-name-error" />
      </label>
      <label>
        Description (optional)
        <input data-testid="datastore-description" value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <label>
        Backend
        <SelectInput testId="datastore-backend" options={BACKENDS} value={type} onChange={setType} />
      </label>
      {type === 'filesystem' ? (
        mayChooseFolder && (
          <label>
            Folder (optional, admins only; an empty folder, absolute path; default: inside the app's data folder)
            <input
              data-testid="datastore-path"
              value={fsPath}
              aria-invalid={!!fieldError('backend.path')}
              onChange={(e) => {
                setFsPath(e.target.value);
                edited('backend.path');
              }}
              placeholder="/srv/provenance/reports"
            />
            <FieldError message={fieldError('backend.path')} testId="datastore-path-error" />
          </label>
        )
      ) : (
        <>
          {S3_FIELDS.map((f) => s3Input(f.key, f.label, 'placeholder' in f ? { placeholder: f.placeholder } : {}))}
          <label>
            <span>
              <input type="checkbox" checked={s3.forcePathStyle} onChange={(e) => setS3({ ...s3, forcePathStyle: e.target.checked })} /> Path-style addressing (MinIO and most self-hosted servers)
            </span>
          </label>
          {s3Input('accessKeyId', 'Access key id')}
          {s3Input('secretAccessKey', 'Secret access key (stored in the vault, never shown again)', { type: 'password', autoComplete: 'off' })}
        </>
      )}
      <ErrorBanner error={bannerError(error, fields)} testId="datastore-create-error" />
      <FormActions submitLabel="Create" busyLabel={type === 's3' ? 'Checking the bucket…' : 'Creating…'} busy={busy} disabled={!name.trim()} submitTestId="datastore-create" onCancel={props.onClose} />
    </FormDialog>
  );
}
