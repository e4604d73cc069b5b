import { X } from 'lucide-react';
import { useMemo, useState } from 'react';
import { BASE_URL_FIELD, PROVIDERS, PROVIDER_CATALOG, credentialIssue, type Provider, type ProviderField } from '@shared/domain/connection.catalog';
import type { ConnectionTestResult } from '@shared/domain/connection';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useConnections } from '../../app-context';
import { ErrorBanner } from '../../components/ui';
import { FieldInput } from '../../components/field-input';
import { FormActions } from '../../components/form-actions';
import { ProviderIcon, TestResultView } from './connection-badges';
import { credentialFieldProblems, enteredFields, issueKey, settingsProblems } from './credential-checks';
import { Form } from '../../components/form';
import { IconButton } from '../../components/tooltip';

const NAME_FIELD: ProviderField = { key: 'name', label: 'Name', required: true, format: 'text' };

/** New connection: pick a provider, then its settings and credential; test before saving if wanted; save. */
export function NewConnectionWizard(props: Readonly<{ onClose: () => void }>) {
  const { connections } = useApp();
  const [provider, setProvider] = useState<Provider | null>(null);
  const [name, setName] = useState('');
  const [settings, setSettings] = useState<Record<string, string>>({});
  const [credential, setCredential] = useState('');
  const [fieldValues, setFieldValues] = useState<Record<string, string>>({});
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [error, setError] = useState<IpcError | null>(null);
  const [result, setResult] = useState<ConnectionTestResult | null>(null);
  /** What the pre-save test ran against: Save records a test of the stored connection only if nothing changed since. */
  const [testedFor, setTestedFor] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const testing = useConnections((s) => s.testing.draft ?? false);
  const entry = provider ? PROVIDER_CATALOG[provider] : null;

  /** A pick starts from that provider's defaults; a name already typed is kept. */
  const pick = (p: Provider) => {
    setProvider(p);
    setSettings(Object.fromEntries(PROVIDER_CATALOG[p].settings.filter((f) => f.defaultValue !== undefined).map((f) => [f.key, f.defaultValue!])));
    setName((n) => n || PROVIDER_CATALOG[p].label);
    setFieldValues({});
    setIssues({});
    setResult(null);
    setError(null);
  };

  /** The same checks the core makes, so mistakes are caught before anything is sent. */
  const check = (withName: boolean): boolean => {
    if (!provider || !entry) return false;
    const found = settingsProblems(provider, settings);
    if (withName && name.trim() === '') found.name = 'name is required';
    if (entry.credential) {
      const ci = credentialIssue(provider, credential);
      if (ci) found.credential = ci.message;
      Object.assign(found, credentialFieldProblems(provider, credential, enteredFields(fieldValues)));
    }
    setIssues(found);
    return Object.keys(found).length === 0;
  };
  const showError = (e: IpcError) => {
    if (e.field) setIssues({ [issueKey(e.field)]: e.message });
    setError(e);
  };

  const payloadSettings = useMemo(() => enteredFields(settings), [settings]);
  const payloadFields = useMemo(() => {
    const entered = enteredFields(fieldValues);
    return Object.keys(entered).length > 0 ? { credentialFields: entered } : {};
  }, [fieldValues]);
  // Held in memory only while the wizard is open, like the credential itself; never sent or shown.
  const draftKey = JSON.stringify([provider, credential, payloadSettings, payloadFields]);
  const testedThisDraft = result !== null && testedFor === draftKey;

  const testBeforeSaving = async () => {
    if (!provider || !entry || !check(false)) return;
    setError(null);
    setResult(null);
    const r = await connections.getState().testDraft({ provider, authType: entry.authType, credential, settings: payloadSettings, ...payloadFields });
    if (r.ok) {
      setResult(r.value);
      setTestedFor(draftKey);
    } else showError(r.error);
  };

  const save = async () => {
    if (!provider || !entry || !check(true)) return;
    setSaving(true);
    setError(null);
    const r = await connections.getState().create({
      name,
      provider,
      authType: entry.authType,
      settings: payloadSettings,
      ...(entry.credential ? { credential, ...payloadFields } : {}),
    });
    setSaving(false);
    if (!r.ok) return showError(r.error);
    setCredential('');
    setFieldValues({});
    props.onClose();
    await connections.getState().open(r.value.id);
    // The pre-save result is not sent to the core (a client could claim any result): the core tests the stored
    // credential right away instead, so the tested draft becomes the connection's recorded last test.
    if (testedThisDraft) void connections.getState().test(r.value.id);
  };

  /** An input whose issue is keyed `key` and whose test ids end in `idKey`. */
  const field = (f: ProviderField, value: string, onChange: (v: string) => void, key = f.key, idKey = f.key) => (
    <FieldInput key={key} field={f} value={value} onChange={onChange} error={issues[key]} testId={`wizard-field-${idKey}`} errorTestId={`wizard-error-${idKey}`} />
  );

  return (
    <div className="card wizard" data-testid="connection-wizard">
      <div className="detail-head">
        <h2>New connection{entry ? `: ${entry.label}` : ''}</h2>
        <IconButton icon={X} label="Close without saving" className="link" testId="wizard-cancel" onClick={props.onClose} />
      </div>
      {!entry ? (
        <ProviderPicker onPick={pick} />
      ) : (
        <Form onSubmit={save}>
          <p className="muted">
            {entry.authLabel}. Where to get the credential:{' '}
            <a href={entry.docs.url} target="_blank" rel="noreferrer noopener" data-testid="wizard-docs-link">
              {entry.docs.title}
            </a>
            {' · '}
            <button type="button" className="link" data-testid="wizard-change-provider" onClick={() => setProvider(null)}>
              change provider
            </button>
          </p>
          {field(NAME_FIELD, name, setName)}
          {entry.settings.map((f) => field(f, settings[f.key] ?? '', (v) => setSettings({ ...settings, [f.key]: v })))}
          <details>
            <summary>Advanced</summary>
            {field(BASE_URL_FIELD, settings.baseUrl ?? '', (v) => setSettings({ ...settings, baseUrl: v }))}
          </details>
          {entry.credential && field({ key: 'credential', label: entry.credential.label, required: true, format: entry.credential.format, help: entry.credential.help }, credential, setCredential)}
          {entry.credential &&
            entry.credentialFields?.map((f) =>
              field(f, fieldValues[f.key] ?? '', (v) => setFieldValues({ ...fieldValues, [f.key]: v }), `credentialFields.${f.key}`, `cred-${f.key}`),
            )}
          {!entry.credential && (
            <p className="muted" data-testid="wizard-oauth-note">
              {entry.label} uses OAuth 2.0: after saving, click Authorize to grant access at {entry.label}. Until then it shows “Not authorized yet” and cannot be used.
            </p>
          )}
          <ErrorBanner error={error} testId="wizard-error" />
          {testing && <p className="muted" data-testid="wizard-testing">Testing against {entry.label}… (gives up after 10 s)</p>}
          {result && <TestResultView result={result} testId="wizard-test-result" />}
          {result && !testedThisDraft && (
            <p className="muted" data-testid="wizard-test-stale">
              Changed since this test: test again, or Save and test the saved connection.
            </p>
          )}
          <FormActions submitLabel="Save" busyLabel="Saving…" busy={saving} submitTestId="wizard-save" onCancel={props.onClose}>
            {entry.credential && (
              <button type="button" className="secondary" data-testid="wizard-test" disabled={testing} onClick={() => void testBeforeSaving()}>
                Test before saving
              </button>
            )}
          </FormActions>
        </Form>
      )}
    </div>
  );
}

/** The wizard's first step: the 12 providers as tiles, each with its auth type. */
function ProviderPicker(props: Readonly<{ onPick: (p: Provider) => void }>) {
  return (
    <>
      <p className="muted">Pick the service to connect. You need a credential from the provider first (an OAuth app, an API key or a service account).</p>
      <div className="provider-grid">
        {PROVIDERS.map((p) => (
          <button key={p} className="provider-tile secondary" data-testid={`wizard-provider-${p}`} onClick={() => props.onPick(p)}>
            <ProviderIcon provider={p} size={32} />
            <span>{PROVIDER_CATALOG[p].label}</span>
            <small className="muted">{PROVIDER_CATALOG[p].authLabel}</small>
          </button>
        ))}
      </div>
    </>
  );
}
