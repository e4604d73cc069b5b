// First: starts the first screen's request before React and the screens initialize (see first-load.ts).
import { startup } from './api/first-load';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { AppContext } from './app-context';
import { consoleToken } from './api/bridge';
import { createHttpUploader, createPathUploader } from './api/uploader';
import { createDatastoresStore } from './stores/datastores-store';
import { createSessionStore } from './stores/session-store';
import { createAuditStore } from './stores/audit-store';
import { createVaultStore } from './stores/vault-store';
import { createConnectionsStore } from './stores/connections-store';
import { createIdentityStore } from './stores/identity-store';
import { createSecretsStore } from './stores/secrets-store';
import { createOAuthStore } from './stores/oauth-store';
import { ok } from '@shared/ipc/result';
import './styles.css';

/** How long the first render waits for the first load's answer before it shows "Loading…" instead. */
const FIRST_RENDER_WAIT_MS = 150;

const root = createRoot(document.getElementById('root')!);
if ('error' in startup) {
  root.render(
    <div className="fatal" data-testid="no-token">
      <h1>ProvenanceOne</h1>
      <p>{startup.error}</p>
    </div>,
  );
} else {
  const { api, firstLoad } = startup;
  // Electron streams dropped files from their paths in the main process; the console PUTs them over HTTP.
  const uploader = window.files
    ? createPathUploader(api, (f) => window.files!.pathFor(f))
    : createHttpUploader(window.location.origin, consoleToken() ?? '', () => window.sessionStorage.getItem('provenance.userToken'));
  const stores = {
    api,
    session: createSessionStore(api, window.localStorage),
    audit: createAuditStore(api),
    connections: createConnectionsStore(api),
    identity: createIdentityStore(api),
    vault: createVaultStore(api),
    secrets: createSecretsStore(api),
    oauth: createOAuthStore(api),
    datastores: createDatastoresStore(api, uploader),
    uploader,
  };
  const render = () =>
    root.render(
      <StrictMode>
        <AppContext.Provider value={stores}>
          <App />
        </AppContext.Provider>
      </StrictMode>,
    );
  // The stores take the first load's answer (app:bootstrap, already on its way); App reloads them on pushes.
  const loaded = Promise.all([
    stores.session.getState().load(firstLoad),
    stores.vault.getState().load(firstLoad.then((r) => (r.ok ? ok(r.value.vault) : r))),
  ]);
  // The first render waits for that answer, so it shows the first screen rather than "Loading…" and then the
  // screen (two renders, layouts and paints where one does). A slow answer still gets "Loading…" meanwhile.
  void Promise.race([loaded, new Promise((r) => setTimeout(r, FIRST_RENDER_WAIT_MS))]).then(render);
}
