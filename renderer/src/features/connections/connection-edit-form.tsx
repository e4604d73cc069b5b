import { useState } from 'react';
import { PROVIDER_CATALOG, baseUrlField } from '@shared/domain/connection.catalog';
import type { ConnectionDetail } from '@shared/domain/connection';
import type { IpcError } from '@shared/ipc/result';
import { useApp } from '../../app-context';
import { FieldInput } from '../../components/field-input';
import { FormActions } from '../../components/form-actions';
import { NAME_FIELD, issueKey, nameProblem, plainCoreMessage, settingsProblems } from './credential-checks';
import { Form } from '../../components/form';

/** Edit a connection's name and settings; keys cleared in the form are removed (PATCH merges settings). */
export function ConnectionEditForm(props: Readonly<{ c: ConnectionDetail; onError: (e: IpcError | null) => void; onClose: () => void }>) {
  const { connections } = useApp();
  const { c } = props;
  const fields = [...PROVIDER_CATALOG[c.provider].settings, baseUrlField(c.provider)];
  const [name, setName] = useState(c.name);
  const [settings, setSettings] = useState<Record<string, string>>({ ...c.settings });
  const [issues, setIssues] = useState<Record<string, string>>({});

  const save = async () => {
    const found = settingsProblems(c.provider, settings);
    const n = nameProblem(name);
    if (n) found.name = n;
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
    // A refusal about a field is shown next to it only, not a second time in the panel's banner.
    const key = err?.field ? issueKey(err.field) : null;
    if (key && (key === 'name' || fields.some((f) => f.key === key))) {
      setIssues({ [key]: plainCoreMessage(err!.message) });
      props.onError(null);
      return;
    }
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
          onChange={(v) => {
            setSettings({ ...settings, [f.key]: v });
            setIssues(({ [f.key]: _old, ...rest }) => rest);
          }}
          error={issues[f.key]}
          testId={`edit-field-${f.key}`}
          errorTestId={`edit-error-${f.key}`}
        />
      ))}
      <FormActions submitLabel="Save changes" submitTestId="connection-edit-save" onCancel={props.onClose} />
    </Form>
  );
}
