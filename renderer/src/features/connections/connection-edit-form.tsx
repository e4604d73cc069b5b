import { useState } from 'react';
import { BASE_URL_FIELD, PROVIDER_CATALOG } from '@shared/domain/connection.catalog';
import type { ConnectionDetail } from '@shared/domain/connection';
import type { IpcError } from '@shared/ipc/result';
import { useApp } from '../../app-context';
import { FieldInput } from '../../components/field-input';
import { FormActions } from '../../components/form-actions';
import { issueKey, settingsProblems } from './credential-checks';
import { Form } from '../../components/form';

const NAME_FIELD = { key: 'name', label: 'Name', required: true, format: 'text' } as const;

/** Edit a connection's name and settings; keys cleared in the form are removed (PATCH merges settings). */
export function ConnectionEditForm(props: Readonly<{ c: ConnectionDetail; onError: (e: IpcError | null) => void; onClose: () => void }>) {
  const { connections } = useApp();
  const { c } = props;
  const fields = [...PROVIDER_CATALOG[c.provider].settings, BASE_URL_FIELD];
  const [name, setName] = useState(c.name);
  const [settings, setSettings] = useState<Record<string, string>>({ ...c.settings });
  const [issues, setIssues] = useState<Record<string, string>>({});

  const save = async () => {
    const found = settingsProblems(c.provider, settings);
    if (name.trim() === '') found.name = 'name is required';
    setIssues(found);
    if (Object.keys(found).length > 0) return;
    // Keys cleared in the form are sent as null, which removes them.
    const patch: Record<string, string | null> = {};
    for (const f of fields) {
      const v = settings[f.key]?.trim() ?? '';
      if (v !== (c.settings[f.key] ?? '')) patch[f.key] = v === '' ? null : v;
    }
    const err = await connections.getState().update(c.id, {
      ...(name !== c.name ? { name } : {}),
      ...(Object.keys(patch).length > 0 ? { settings: patch } : {}),
    });
    if (err?.field) setIssues({ [issueKey(err.field)]: err.message });
    props.onError(err);
    if (!err) props.onClose();
  };

  return (
    <Form testId="connection-edit-form" onSubmit={save}>
      <FieldInput field={NAME_FIELD} value={name} onChange={setName} error={issues.name} testId="edit-field-name" errorTestId="edit-error-name" />
      {fields.map((f) => (
        <FieldInput
          key={f.key}
          field={f}
          value={settings[f.key] ?? ''}
          onChange={(v) => setSettings({ ...settings, [f.key]: v })}
          error={issues[f.key]}
          testId={`edit-field-${f.key}`}
          errorTestId={`edit-error-${f.key}`}
        />
      ))}
      <FormActions submitLabel="Save changes" submitTestId="connection-edit-save" onCancel={props.onClose} />
    </Form>
  );
}
