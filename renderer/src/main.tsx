import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { AppContext } from './app-context';
import { consoleToken, resolveApi } from './api/bridge';
import { createHttpUploader, createPathUploader } from './api/uploader';
import { createDatastoresStore } from './stores/datastores-store';
import { createSessionStore } from './stores/session-store';
import { createAuditStore } from './stores/audit-store';
import { createVaultStore } from './stores/vault-store';
import { createConnectionsStore } from './stores/connections-store';
import { createIdentityStore } from './stores/identity-store';
import { createSecretsStore } from './stores/secrets-store';
import { createOAuthStore } from './stores/oauth-store';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
const api = resolveApi();
if ('error' in api) {
  root.render(
    <div className="fatal" data-testid="no-token">
      <h1>ProvenanceOne</h1>
      <p>{api.error}</p>
    </div>,
  );
} else {
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
  root.render(
    <StrictMode>
      <AppContext.Provider value={stores}>
        <App />
      </AppContext.Provider>
    </StrictMode>,
  );
}
