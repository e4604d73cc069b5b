import os from 'node:os';
import type { Actor } from '@shared/domain/actor';
import type { CoreConfig } from './config';
import { openDatabase, startIdleCheckpoints, type Db } from './db/database';
import { MIGRATIONS } from './schema-migrations';
import { ensureDataDir, tightenPermissions } from './fs/data-dir';
import { createEventBus } from './events/event-bus';
import { createAuditService } from './audit/audit-service';
import { createAccessService } from './access/access-service';
import { createWorkspaceService } from './workspaces/workspace-service';
import { createReferenceIndex } from './references/reference-index';
import { createVaultService } from './vault/vault-service';
import { createScheduler } from './scheduler/scheduler';
import { createKeytarKeyStore } from './vault/keytar-key-store';
import { createVaultBackup } from './vault/vault-backup';
import type { KdfCost } from './vault/kdf';
import { createDatastoreServices } from './datastores/datastore-services';
import type { SavePathChooser } from './datastores/save-as-service';
import { createConnectionService } from './connections/connection-service';
import { createHttpConnectionTester } from './connections/http-connection-tester';
import type { ConnectionTester } from './connections/connection-tester';
import { createLoginThrottle } from './identity/login-throttle';
import { createTokenService } from './identity/token-service';
import { createUserService } from './identity/user-service';
import { createApiKeyService } from './identity/api-key-service';
import { createSettingsService } from './settings/settings-service';
import { createSecretService } from './secrets/secret-service';
import { createOAuthAppService } from './oauth/oauth-app-service';
import { createOAuthTokenService, type RefreshPolicy } from './oauth/oauth-token-service';
import { createOAuthFlowService } from './oauth/oauth-flow-service';
import { silentLogger, systemClock, type Clock, type KeyStore, type Logger } from './ports';

export type CorePorts = {
  clock?: Clock;
  logger?: Logger;
  /** Where the vault's master key lives; the vault capability uses it. */
  keyStore?: KeyStore;
  /** scrypt cost for passphrase wraps (default DEFAULT_KDF); only ever raised. */
  vaultKdf?: KdfCost;
  /** S3 multipart tuning for S3 datastores (part size, parts in flight). */
  s3?: { partSize?: number; queueSize?: number; maxAttempts?: number };
  /** How long a connection test waits for the provider (default 10 s). */
  connectionTestTimeoutMs?: number;
  /** Replaces the live HTTP connection tester (unit tests of the service only). */
  connectionTester?: ConnectionTester;
  /** The desktop's save dialog for "Save as…" of datastore objects; headless has none (the browser downloads). */
  chooseSavePath?: SavePathChooser;
  /** Hands an OAuth authorization URL to the user (desktop: the system browser; headless: printed). */
  openExternal?: (url: string) => void;
  /** OAuth refresh tuning (retries, leases, in-flight cap); tests shorten the delays. */
  oauthRefreshPolicy?: Partial<RefreshPolicy>;
  /** How long a consent flow's loopback listener waits for the browser (default 10 min). */
  oauthFlowTimeoutMs?: number;
};

/** Where a locked passphrase vault gets its passphrase at start (headless: a file, else a TTY prompt). */
export type PassphraseSource = () => Promise<string | null>;

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'system', name: 'ProvenanceOne', origin: 'system' };

export function localActor(config: Pick<CoreConfig, 'localUser'>, origin = 'ipc'): Actor {
  return { kind: 'local', id: `local:${config.localUser}`, name: config.localUser, origin };
}

export const defaultLocalUser = (): string => {
  try {
    return os.userInfo().username;
  } catch {
    return 'local-admin';
  }
};

/**
 * The composition root: the one place that builds the platform core. Electron main and the headless console
 * both call it; nothing in here may import 'electron'.
 */
export function createCore(config: CoreConfig, ports: CorePorts = {}) {
  const clock = ports.clock ?? systemClock;
  const logger = ports.logger ?? silentLogger;
  // New files (db, wal, temp files) are private to this user from their first byte.
  process.umask(0o077);
  ensureDataDir(config.dataDir);
  const db: Db = openDatabase(config.dataDir, MIGRATIONS);
  const stopCheckpoints = startIdleCheckpoints(db);
  tightenPermissions(config.dataDir);

  const bus = createEventBus();
  const audit = createAuditService({ db, clock, bus });
  const access = createAccessService({ logger });
  const workspaces = createWorkspaceService({ db, clock, audit, bus });
  workspaces.ensureDefault(SYSTEM_ACTOR);
  const references = createReferenceIndex({ db });
  const keyStore = ports.keyStore ?? createKeytarKeyStore();
  const vault = createVaultService({ db, keyStore, clock, audit, bus, logger, kdfCost: ports.vaultKdf });
  const vaultBackup = createVaultBackup({
    db,
    dataDir: config.dataDir,
    vault,
    audit,
    clock,
    keyStore,
    migrations: MIGRATIONS,
    bus,
    logger,
    appVersion: config.version,
  });
  const connections = createConnectionService({
    db,
    clock,
    logger,
    audit,
    bus,
    references,
    vault,
    tester: ports.connectionTester ?? createHttpConnectionTester({ timeoutMs: ports.connectionTestTimeoutMs }),
    // Connections whose credential is kept as a vault secret read it at use time (secrets is built below).
    readSecret: (workspaceId, secretId) => secrets.readForRuntime(workspaceId, secretId),
  });
  const tokens = createTokenService({ db, clock, vault });
  const users = createUserService({ db, clock, audit, workspaces, tokens, throttle: createLoginThrottle({ clock }) });
  const apiKeys = createApiKeyService({ db, clock, audit });
  // Users and API keys get their grants from the same POLICY table as everyone: a role per workspace, or scopes.
  access.registerResolver('user', (actor, ws) => {
    const role = users.roleIn(actor.id, ws);
    return role ? { role } : null;
  });
  access.registerResolver('apiKey', (actor, ws) => {
    const scopes = apiKeys.scopesIn(actor.id, ws);
    return scopes ? { scopes } : null;
  });
  const settings = createSettingsService({ db, audit, bus, config });
  const scheduler = createScheduler({ clock, logger });
  const secrets = createSecretService({ db, clock, logger, bus, audit, access, vault, references, systemActor: SYSTEM_ACTOR });
  scheduler.register(secrets.rotationJob);
  scheduler.register({ name: 'vault.auto-lock', tick: async (now) => void vault.lockIfIdle(now) });
  const oauthApps = createOAuthAppService({ db, clock, audit, vault });
  const oauthTokens = createOAuthTokenService({
    db,
    clock,
    logger,
    audit,
    bus,
    vault,
    connections,
    apps: oauthApps,
    system: SYSTEM_ACTOR,
    policy: ports.oauthRefreshPolicy,
  });
  const oauthFlows = createOAuthFlowService({
    db,
    logger,
    audit,
    connections,
    apps: oauthApps,
    tokens: oauthTokens,
    flowTimeoutMs: ports.oauthFlowTimeoutMs,
    openExternal: ports.openExternal,
  });
  // OAuth connections authenticate (tests, runs) with an access token from the rotation service.
  connections.registerCredentialSource('oauth2', (c) => oauthTokens.getAccessToken(c.id));
  scheduler.register({ name: 'oauth-rotation', tick: (now) => oauthTokens.tick(now) });
  const oauth = { apps: oauthApps, tokens: oauthTokens, flows: oauthFlows };
  const datastores = createDatastoreServices({ db, clock, logger, audit, access, bus, vault, dataDir: config.dataDir, s3: ports.s3, chooseSavePath: ports.chooseSavePath });
  // Each backend's crash leftovers go before any new upload can start (recovery needs no vault).
  datastores.recover();

  let closed = false;
  return {
    config,
    clock,
    logger,
    db,
    bus,
    audit,
    access,
    workspaces,
    references,
    vault,
    vaultBackup,
    connections,
    users,
    apiKeys,
    settings,
    scheduler,
    datastores,
    secrets,
    oauth,
    /**
     * Brings the vault up at start. Keychain mode unlocks from the OS keychain; passphrase mode asks `passphrase`
     * (if given). With `initialize`, a vault that was never set up is created in keychain mode when a keychain is
     * reachable (the headless console's first run); otherwise it stays uninitialized and the setup screen shows.
     * Never throws: a locked or uninitialized vault is a state the UI shows, not a crash.
     */
    async start(opts: { initialize?: boolean; passphrase?: PassphraseSource } = {}): Promise<void> {
      try {
        const st = vault.status();
        if (st.state === 'uninitialized' && opts.initialize) await vault.initializeWithKeychain(SYSTEM_ACTOR);
        else if (st.state === 'locked' && st.mode === 'keychain') await vault.unlockWithKeychain(SYSTEM_ACTOR);
        else if (st.state === 'locked' && st.mode === 'passphrase' && opts.passphrase) {
          const p = await opts.passphrase();
          if (p) await vault.unlockWithPassphrase(p, SYSTEM_ACTOR);
        }
      } catch (e) {
        logger.log('warn', 'vault not unlocked at start', { reason: e instanceof Error ? e.message : 'unknown' });
      }
    },
    close(): void {
      if (closed) return;
      closed = true;
      oauthFlows.closeAll();
      void scheduler.stop();
      datastores.close();
      vault.forget();
      stopCheckpoints();
      db.close();
    },
  };
}
export type Core = ReturnType<typeof createCore>;
