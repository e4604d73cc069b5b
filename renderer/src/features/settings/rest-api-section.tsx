import { useEffect, useState } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useIdentity } from '../../app-context';
import { useCan } from '../../access';
import { ErrorBanner } from '../../components/ui';
import { CopyButton } from '../../components/copy-button';
import { Form } from '../../components/form';

/**
 * Settings → REST API: the switch (desktop; the console always serves it), the port, the copyable base URL. The
 * switch is a core setting (settings:update), not a shell preference: the core decides whether the server runs.
 */
export function RestApiSection() {
  const { identity } = useApp();
  const can = useCan();
  const settings = useIdentity((s) => s.settings);
  const [port, setPort] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const allowed = can('settings.manage');

  useEffect(() => identity.getState().listenSettings(), [identity]);
  const savedPort = settings?.restApi.port;
  useEffect(() => {
    if (savedPort !== undefined) setPort(String(savedPort));
  }, [savedPort]);

  if (!settings) return null;
  const r = settings.restApi;
  return (
    <div className="card" data-testid="rest-section">
      <h2>REST API</h2>
      <p className="muted">The docs' REST API on this computer only (127.0.0.1), for scripts with an API key or a user's token. See /openapi.json for every endpoint.</p>
      <ErrorBanner error={error} testId="rest-error" />
      {r.alwaysOn ? (
        <p data-testid="rest-always-on">This console always serves the REST API, on its own port.</p>
      ) : (
        <Form
          className="inline"
          onSubmit={async () => {
            setError(await identity.getState().updateRestApi({ port: Number(port) }));
          }}
        >
          <label className="inline">
            <input
              type="checkbox"
              data-testid="rest-enabled"
              checked={r.enabled}
              disabled={!allowed}
              onChange={async (e) => setError(await identity.getState().updateRestApi({ enabled: e.target.checked }))}
            />
            Serve the REST API
          </label>
          <label className="inline">
            Port
            <input data-testid="rest-port" inputMode="numeric" size={6} value={port} disabled={!allowed} onChange={(e) => setPort(e.target.value)} />
          </label>
          {allowed && <button type="submit" className="secondary" data-testid="rest-port-save">Save port</button>}
        </Form>
      )}
      {r.problem && <div className="error-banner" data-testid="rest-problem">{r.problem}</div>}
      {r.baseUrl ? (
        <div className="secret-once">
          <span>Base URL</span>
          <code className="mono" data-testid="rest-base-url">{r.baseUrl}</code>
          <CopyButton text={r.baseUrl} testId="rest-copy" />
        </div>
      ) : (
        !r.problem && <p className="muted" data-testid="rest-off">Off. Turn it on to call the API from scripts on this computer.</p>
      )}
    </div>
  );
}
