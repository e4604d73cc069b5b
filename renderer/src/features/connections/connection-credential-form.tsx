import { useEffect, useState } from 'react';
import { KEY_PASSPHRASE_FIELD, PROVIDER_CATALOG, credentialIssue, type ProviderField } from '@shared/domain/connection.catalog';
import type { ConnectionDetail } from '@shared/domain/connection';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useSession } from '../../app-context';
import { SelectInput } from '../../components/select-input';
import { FieldInput } from '../../components/field-input';
import { FormActions } from '../../components/form-actions';
import { credentialFieldProblems, credentialProblem, enteredFields, plainCoreMessage } from './credential-checks';
import { Form } from '../../components/form';

/**
 * Replace a stored credential and/or credential fields. Blank inputs are left as stored: the credential, and each
 * credential field, can be replaced on its own. Nothing stored is ever shown or prefilled.
 */
export function ConnectionCredentialForm(props: Readonly<{ c: ConnectionDetail; onError: (e: IpcError | null) => void; onClose: () => void }>) {
  const { connections, secrets } = useApp();
  const { c } = props;
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  // Or a vault secret as the credential (the way back for a connection whose secret was force-deleted).
  const [secretChoices, setSecretChoices] = useState<Array<{ id: string; name: string }>>([]);
  const [secretId, setSecretId] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!workspaceId) return;
    let live = true;
    void secrets.getState().choices(workspaceId).then((list) => live && setSecretChoices(list));
    return () => {
      live = false;
    };
  }, [secrets, workspaceId]);
  const entry = PROVIDER_CATALOG[c.provider];
  const [credential, setCredential] = useState('');
  const [credIssue, setCredIssue] = useState<string | null>(null);
  const [fieldValues, setFieldValues] = useState<Record<string, string>>({});
  const [fieldIssues, setFieldIssues] = useState<Record<string, string>>({});
  const credentialField: ProviderField = {
    key: 'credential',
    label: `New ${entry.credential?.label ?? 'credential'}`,
    required: false,
    format: entry.credential?.format ?? 'secret',
  };

  const save = async () => {
    const fields = enteredFields(fieldValues);
    if (secretId && credential.trim() === '') return saveWith({ credentialSecretId: secretId, ...(Object.keys(fields).length > 0 ? { credentialFields: fields } : {}) });
    const issue = credential.trim() !== '' || Object.keys(fields).length === 0 ? credentialIssue(c.provider, credential) : null;
    const problems = credentialFieldProblems(c.provider, credential, fields, KEY_PASSPHRASE_FIELD in c.storedCredentialFields);
    setCredIssue(issue ? credentialProblem(c.provider, credential) : null);
    setFieldIssues(problems);
    if (issue || Object.keys(problems).length > 0) return;
    await saveWith({
      ...(credential.trim() !== '' ? { credential } : {}),
      ...(Object.keys(fields).length > 0 ? { credentialFields: fields } : {}),
    });
  };

  const saveWith = async (patch: Parameters<ReturnType<typeof connections.getState>['update']>[1]) => {
    const err = await connections.getState().update(c.id, patch);
    // A refusal about a field is shown next to it only, not a second time in the panel's banner.
    if (err?.field?.startsWith('credentialFields.')) setFieldIssues({ [err.field]: plainCoreMessage(err.message) });
    else if (err?.field === 'credential') setCredIssue(plainCoreMessage(err.message));
    props.onError(err?.field === 'credential' || err?.field?.startsWith('credentialFields.') ? null : err);
    if (!err) {
      setCredential('');
      setFieldValues({});
      props.onClose();
      // New credentials do not change the status by themselves (the core keeps it): the test that follows does.
      void connections.getState().test(c.id).then((r) => !r.ok && props.onError(r.error));
    }
  };

  return (
    <Form onSubmit={save}>
      <FieldInput
        field={credentialField}
        value={credential}
        onChange={(v) => {
          setCredential(v);
          setCredIssue(null);
        }}
        error={credIssue ?? undefined}
        testId="connection-credential-input"
        errorTestId="connection-credential-error"
        note={`Replaces the stored one; it cannot be shown again${entry.credentialFields ? '; leave empty to keep it' : ''}.`}
      />
      {secretChoices.length > 0 && (
        <label>
          Or use a vault secret
          <SelectInput
            testId="connection-credential-secret-select"
            emptyLabel="— enter the credential above —"
            options={secretChoices.map((s) => ({ value: s.id, label: s.name }))}
            value={secretId}
            onChange={setSecretId}
          />
        </label>
      )}
      {entry.credentialFields?.map((f) => (
        <FieldInput
          key={f.key}
          field={f}
          value={fieldValues[f.key] ?? ''}
          onChange={(v) => {
            setFieldValues({ ...fieldValues, [f.key]: v });
            setFieldIssues(({ [`credentialFields.${f.key}`]: _old, ...rest }) => rest);
          }}
          error={fieldIssues[`credentialFields.${f.key}`]}
          testId={`connection-credential-field-input-${f.key}`}
          errorTestId={`connection-credential-field-error-${f.key}`}
          note={f.key in c.storedCredentialFields ? 'One is stored: leave empty to keep it, or enter a new one to replace it.' : undefined}
        />
      ))}
      <FormActions submitLabel="Save credential" submitTestId="connection-credential-save" onCancel={props.onClose} />
    </Form>
  );
}
