import { useMemo, useState } from 'react';
import { PROVIDERS, PROVIDER_CATALOG, baseUrlField, type Provider, type ProviderField } from '@shared/domain/connection.catalog';
import type { ConnectionTestResult } from '@shared/domain/connection';
import type { IpcError } from '@shared/ipc/result';
import type { OAuthProvider } from '@shared/domain/oauth.catalog';
import { useApp, useConnections, useSession } from '../../app-context';
import { ErrorBanner } from '../../components/ui';
import { FieldInput } from '../../components/field-input';
import { FormActions } from '../../components/form-actions';
import { ProviderIcon, TestResultView } from './connection-badges';
import {
  NAME_FIELD,
  credentialFieldProblems,
  credentialProblem,
  enteredFields,
  issueKey,
  nameProblem,
  plainCoreMessage,
  settingsProblems,
} from './credential-checks';
import { Form } from '../../components/form';
import { Modal } from '../../components/dialog';
import { EMPTY_OAUTH_APP, OAuthAppFields, oauthAppIssueKey, oauthAppPayload, oauthAppProblems, type OAuthAppValues } from './oauth-app-fields';
import { useConsentOpener } from './oauth-connection-panel';
import { useOAuthApps } from './use-oauth-apps';

/**
 * New connection, a dialog like every other "New …" action: pick a provider, then its settings and credential; test
 * before saving if wanted; save. An OAuth provider goes straight on to consent after saving; when the workspace has
 * no OAuth app for it yet, the wizard collects the app's client id and secret in place (with the redirect URI to
 * register) instead of sending the admin to Settings first.
 */
export function NewConnectionWizard(props: Readonly<{ onClose: () => void }>) {
  const { connections, oauth } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const openConsent = useConsentOpener();
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
  const isOAuth = entry?.authType === 'oauth2';
  // The workspace's OAuth apps, read once the wizard opens: "no app yet" is only claimed after they have loaded.
  const { apps, loaded: appsLoaded } = useOAuthApps();
  const [app, setApp] = useState<OAuthAppValues>(EMPTY_OAUTH_APP);
  const [appIssues, setAppIssues] = useState<Record<string, string>>({});
  const registeredApp = isOAuth ? apps.find((a) => a.provider === provider) : undefined;
  const needsApp = isOAuth && appsLoaded && !registeredApp;

  /** A pick starts from that provider's defaults; a name already typed is kept. */
  const pick = (p: Provider) => {
    setProvider(p);
    setSettings(Object.fromEntries(PROVIDER_CATALOG[p].settings.filter((f) => f.defaultValue !== undefined).map((f) => [f.key, f.defaultValue!])));
    setName((n) => n || PROVIDER_CATALOG[p].label);
    setFieldValues({});
    setIssues({});
    setAppIssues({});
    setResult(null);
    setError(null);
  };

  /** The same checks the core makes, in plain words, so mistakes are caught before anything is sent. */
  const problems = (withName: boolean): Record<string, string> => {
    if (!provider || !entry) return {};
    const found = settingsProblems(provider, settings);
    const n = withName ? nameProblem(name) : null;
    if (n) found.name = n;
    if (entry.credential) {
      const ci = credentialProblem(provider, credential);
      if (ci) found.credential = ci;
      Object.assign(found, credentialFieldProblems(provider, credential, enteredFields(fieldValues)));
    }
    return found;
  };
  /** `withApp`: the missing OAuth app must be entered (to authorize now, or when any of it was typed). */
  const check = (withName: boolean, withApp = false): boolean => {
    if (!provider || !entry) return false;
    const found = problems(withName);
    setIssues(found);
    const appFound = needsApp && withApp ? oauthAppProblems(provider as OAuthProvider, app) : {};
    setAppIssues(appFound);
    return Object.keys(found).length === 0 && Object.keys(appFound).length === 0;
  };
  /** The value behind an issue key (`name`, a setting's key, `credential`, `credentialFields.<key>`). */
  const valueOf = (key: string): string =>
    key === 'name' ? name : key === 'credential' ? credential : key.startsWith('credentialFields.') ? (fieldValues[key.slice(17)] ?? '') : (settings[key] ?? '');
  /** Leaving a field checks what was typed there (an empty one waits for Save); typing again clears its problem. */
  const checkOne = (key: string) => {
    const problem = valueOf(key).trim() === '' ? undefined : problems(true)[key];
    setIssues(({ [key]: _old, ...rest }) => (problem ? { ...rest, [key]: problem } : rest));
  };
  const clearOne = (key: string) => setIssues(({ [key]: _old, ...rest }) => rest);
  /** A refusal from the core: next to its field when the form shows that field, else once, above the buttons. */
  const showError = (e: IpcError) => {
    const key = e.field ? issueKey(e.field) : null;
    const shown = key !== null && (key === 'name' || key === 'credential' || key === 'baseUrl' || key.startsWith('credentialFields.') || !!entry?.settings.some((f) => f.key === key));
    if (shown) {
      setIssues({ [key]: plainCoreMessage(e.message) });
      setError(null);
    } else setError(e);
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

  /** Registers the provider's OAuth app from the wizard's fields; false (with the reason shown) when refused. */
  const registerApp = async (p: Provider): Promise<boolean> => {
    const err = await oauth.getState().createApp({ provider: p as OAuthProvider, ...oauthAppPayload(app) });
    if (!err) return true;
    const key = err.field ? oauthAppIssueKey(err.field) : '';
    if (key in app) setAppIssues({ [key]: err.message });
    else setError(err);
    return false;
  };

  /** Saves; an OAuth connection then goes straight to consent unless `authorize` is false ("authorize later"). */
  const save = async (authorize = true) => {
    // "Authorize later" may leave the app for later too (the detail asks for it then); anything typed is registered.
    const withApp = needsApp && (authorize || Object.values(app).some((v) => v.trim() !== ''));
    if (!provider || !entry || !check(true, withApp)) return;
    setSaving(true);
    setError(null);
    if (withApp && !(await registerApp(provider))) return setSaving(false);
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
    if (isOAuth && authorize && workspaceId) {
      // The detail panel shows the flow (waiting, done, or why it failed) from the OAuth store.
      await oauth.getState().authorize(workspaceId, r.value.id, openConsent);
      await connections.getState().refresh(r.value.id);
      return;
    }
    // The pre-save result is not sent to the core (a client could claim any result): the core tests the stored
    // credential right away instead, so the tested draft becomes the connection's recorded last test.
    if (testedThisDraft) void connections.getState().test(r.value.id);
  };

  /** An input whose issue is keyed `key` and whose test ids end in `idKey`. */
  const field = (f: ProviderField, value: string, onChange: (v: string) => void, key = f.key, idKey = f.key) => (
    <div key={key} onBlur={() => checkOne(key)}>
      <FieldInput
        field={f}
        value={value}
        onChange={(v) => {
          onChange(v);
          clearOne(key);
        }}
        error={issues[key]}
        testId={`wizard-field-${idKey}`}
        errorTestId={`wizard-error-${idKey}`}
      />
    </div>
  );

  return (
    <Modal wide title={`New connection${entry ? `: ${entry.label}` : ''}`} testId="connection-wizard" onClose={props.onClose}>
      {!entry ? (
        <ProviderPicker onPick={pick} onCancel={props.onClose} />
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
          {entry.settings
            // An OAuth connection's client id is its OAuth app's (below, or registered already): one field, not two.
            .filter((f) => !(isOAuth && f.key === 'clientId'))
            .map((f) => field(f, settings[f.key] ?? '', (v) => setSettings({ ...settings, [f.key]: v })))}
          <details open={issues.baseUrl ? true : undefined}>
            <summary>Advanced: API address</summary>
            {field(baseUrlField(provider!), settings.baseUrl ?? '', (v) => setSettings({ ...settings, baseUrl: v }))}
          </details>
          {entry.credential && field({ key: 'credential', label: entry.credential.label, required: true, format: entry.credential.format, help: entry.credential.help }, credential, setCredential)}
          {entry.credential &&
            entry.credentialFields?.map((f) =>
              field(f, fieldValues[f.key] ?? '', (v) => setFieldValues({ ...fieldValues, [f.key]: v }), `credentialFields.${f.key}`, `cred-${f.key}`),
            )}
          {isOAuth && needsApp && (
            <fieldset className="wizard-oauth-app" data-testid="wizard-oauth-app">
              <legend>{entry.label} OAuth app</legend>
              <p className="muted">
                This workspace has no {entry.label} OAuth app yet. Create one at {entry.label} (see the link above) with the redirect URI below, then enter its
                client id and secret here. It is saved once for the workspace and used by every {entry.label} connection.
              </p>
              <OAuthAppFields
                provider={provider as OAuthProvider}
                values={app}
                onChange={(v) => {
                  setApp(v);
                  setAppIssues({});
                }}
                issues={appIssues}
                idPrefix="wizard-app"
                showRedirect
                foldAdvanced
              />
            </fieldset>
          )}
          {isOAuth && registeredApp && (
            <p className="muted" data-testid="wizard-oauth-app-registered">
              Consent uses the {entry.label} OAuth app registered for this workspace (client id <span className="mono">{registeredApp.clientId}</span>).
            </p>
          )}
          {isOAuth && (
            <p className="muted" data-testid="wizard-oauth-note">
              Save and authorize opens the consent page at {entry.label}: grant access there and the connection becomes active. Until then it shows “Not authorized
              yet” and cannot be used.
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
          <FormActions
            submitLabel={isOAuth ? 'Save and authorize' : 'Save'}
            busyLabel="Saving…"
            busy={saving}
            disabled={isOAuth && !appsLoaded}
            submitTestId="wizard-save"
            cancelTestId="wizard-cancel"
            onCancel={props.onClose}
          >
            {isOAuth && (
              <button type="button" className="secondary" data-testid="wizard-save-later" disabled={saving || !appsLoaded} onClick={() => void save(false)}>
                Save, authorize later
              </button>
            )}
            {entry.credential && (
              <button type="button" className="secondary" data-testid="wizard-test" disabled={testing} onClick={() => void testBeforeSaving()}>
                Test before saving
              </button>
            )}
          </FormActions>
        </Form>
      )}
    </Modal>
  );
}

/** The wizard's first step: the 12 providers as tiles, each with its auth type. */
function ProviderPicker(props: Readonly<{ onPick: (p: Provider) => void; onCancel: () => void }>) {
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
      <div className="actions-row">
        <button type="button" className="secondary" data-testid="wizard-cancel" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}
