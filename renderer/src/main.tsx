// First: starts the first screen's request before React and the screens initialize (see first-load.ts).
import { startup } from './api/first-load';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { AppContext, type AppStores } from './app-context';
import { consoleToken } from './api/bridge';
import { createHttpUploader, createPathUploader } from './api/uploader';
import { createDatastoresStore } from './features/datastores/datastores-store';
import { createSessionStore } from './features/session/session-store';
import { createAuditStore } from './features/audit/audit-store';
import { createVaultStore } from './features/vault/vault-store';
import { createConnectionsStore } from './features/connections/connections-store';
import { createOAuthStore } from './features/connections/oauth-store';
import { createIdentityStore } from './features/settings/identity-store';
import { createAppearanceStore } from './features/settings/appearance-store';
import { applyDocumentTheme } from './features/settings/document-theme';
import { createSecretsStore } from './features/secrets/secrets-store';
import { createWorkflowsStore } from './features/workflows/workflows-store';
import { createRunsStore } from './features/workflows/runs-store';
import { createNavigationStore } from './state/navigation-store';
import { ok } from '@shared/ipc/result';
import './styles.css';
import { TooltipProvider } from './components/tooltip';

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
  const { api, firstLoad, preferences } = startup;
  // Electron streams dropped files from their paths in the main process; the console PUTs them over HTTP, and its
  // download links carry a ticket the bridge asks for (no preload: this is the console's bridge, which has ticket()).
  const uploader = window.files
    ? createPathUploader(api, (f) => window.files!.pathFor(f))
    : createHttpUploader(window.location.origin, consoleToken() ?? '', () => window.sessionStorage.getItem('provenance.userToken'), (grant) => api.ticket!(grant));
  const stores: AppStores = {
    session: createSessionStore(api, preferences),
    audit: createAuditStore(api),
    connections: createConnectionsStore(api),
    identity: createIdentityStore(api),
    vault: createVaultStore(api),
    secrets: createSecretsStore(api),
    oauth: createOAuthStore(api),
    datastores: createDatastoresStore(api, uploader),
    appearance: createAppearanceStore(preferences, applyDocumentTheme(document.documentElement)),
    workflows: createWorkflowsStore(api),
    runs: createRunsStore(api),
    navigation: createNavigationStore(),
  };
  const render = () =>
    root.render(
      <StrictMode>
        <AppContext.Provider value={stores}>
          <TooltipProvider>
            <App />
          </TooltipProvider>
        </AppContext.Provider>
      </StrictMode>,
    );
  // The stores take the first load's answer (app:bootstrap, already on its way); App reloads them on pushes. The
  // theme is applied before the first render, so the first screen paints in it.
  const loaded = Promise.all([
    stores.session.getState().load(firstLoad),
    stores.vault.getState().load(firstLoad.then((r) => (r.ok ? ok(r.value.vault) : r))),
    stores.appearance.getState().load(),
  ]);
  // The first render waits for that answer, so it shows the first screen rather than "Loading…" and then the
  // screen (two renders, layouts and paints where one does). A slow answer still gets "Loading…" meanwhile.
  void Promise.race([loaded, new Promise((r) => setTimeout(r, FIRST_RENDER_WAIT_MS))]).then(render);
}
