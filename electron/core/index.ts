import os from 'node:os';
import { isMainThread } from 'node:worker_threads';
import type { Actor } from '@shared/domain/actor';
import { NewPassphraseSchema } from '@shared/domain/vault';
import type { CoreConfig } from './config';
import { notFound } from './errors';
import { BUSY_TIMEOUT_MS, openDatabase, setBusyTimeout, startIdleCheckpoints, type Db } from './db/database';
import { MIGRATIONS } from './schema-migrations';
import { ensureDataDir, tightenPermissions } from './fs/data-dir';
import { createEventBus } from './events/event-bus';
import { createAuditStore } from './audit/audit-store';
import { createAuditService } from './audit/audit-service';
import { createAccessService } from './access/access-service';
import { createWorkspaceStore } from './workspaces/workspace-store';
import { createWorkspaceService } from './workspaces/workspace-service';
import { createReferenceStore } from './references/reference-store';
import { createReferenceIndex } from './references/reference-index';
import { createVaultStore } from './vault/vault-store';
import { createVaultService } from './vault/vault-service';
import { createScheduler } from './scheduler/scheduler';
import { createKeytarKeyStore } from './vault/keytar-key-store';
import { createVaultBackup } from './vault/vault-backup';
import type { KdfCost } from './vault/kdf';
import { createDatastoreServices } from './datastores/datastore-services';
import type { SavePathChooser } from './datastores/save-as-service';
import { createConnectionService } from './connections/connection-service';
import { createConnectionStore } from './connections/connection-store';
import { createHttpConnectionTester } from './connections/http-connection-tester';
import type { ConnectionTester } from './connections/connection-tester';
import { createLoginThrottle } from './identity/login-throttle';
import type { PasswordHasher } from './identity/password-hasher';
import { createSigningKeyStore } from './identity/signing-key-store';
import { createTokenService } from './identity/token-service';
import { createUserStore } from './identity/user-store';
import { createUserService } from './identity/user-service';
import { createApiKeyStore } from './identity/api-key-store';
import { createApiKeyService } from './identity/api-key-service';
import { createSessionService } from './identity/session-service';
import { createSettingsStore } from './settings/settings-store';
import { createSettingsService } from './settings/settings-service';
import { createSecretStore } from './secrets/secret-store';
import { createSecretService } from './secrets/secret-service';
import { createOAuthAppService } from './oauth/oauth-app-service';
import { createOAuthAppStore } from './oauth/oauth-app-store';
import { createOAuthTokenService, type RefreshPolicy } from './oauth/oauth-token-service';
import { createOAuthTokenStore } from './oauth/oauth-token-store';
import { createOAuthFlowService } from './oauth/oauth-flow-service';
import { createDatastoreStore } from './datastores/datastore-store';
import { createWorkflowStore } from './workflows/workflow-store';
import { createWorkflowService } from './workflows/workflow-service';
import { createRunOwner } from './workflows/run-owner';
import { createRunStore } from './workflows/run-store';
import { createRunner, type RunnerTuning } from './workflows/runner';
import { createRunService } from './workflows/run-service';
import { createStepRegistry } from './workflows/step-registry';
import { createStorageStepKind } from './workflows/steps/storage-step';
import { createTransformStepKind } from './workflows/steps/transform-step';
import { createHttpStepKind } from './workflows/steps/http-step';
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
  /** How long a request waits for another process's write lock before answering 503 (default BUSY_TIMEOUT_MS). */
  busyTimeoutMs?: number;
  /** How users' passwords are hashed and checked (default scrypt); tests count the checks. */
  passwordHasher?: PasswordHasher;
  /**
   * Whether this process sweeps datastores' crash leftovers (default true). The CLI's --data-dir mode passes false:
   * an app may be serving the same data dir, and what looks like a leftover may be its upload in flight.
   */
  datastoreSweep?: boolean;
  /** Workflow runner bounds (runs and steps in parallel, step timeout, heartbeat); tests and benchmarks tune them. */
  runner?: Partial<RunnerTuning>;
  /** How the runner waits between a step's attempts (tests record the backoff and resolve at once). */
  runnerWait?: (ms: number, signal: AbortSignal) => Promise<void>;
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
 *
 * Stores (`*-store.ts`) hold each capability's SQL and are built here from the one database connection, so another
 * engine means other stores passed to the same services (README: "Second database engine"). Services check access
 * themselves: every transport (IPC, REST, the console, the scheduler) passes the same gate.
 */
export function createCore(config: CoreConfig, ports: CorePorts = {}) {
  const clock = ports.clock ?? systemClock;
  const logger = ports.logger ?? silentLogger;
  // New files (db, wal, temp files) are private to this user from their first byte. Only the main thread may set the
  // process's umask (Node refuses it in worker threads); the app always builds its core there, and a core built in a
  // worker thread (the mutation-test runner's) keeps the process's umask, set by its main thread.
  if (isMainThread) process.umask(0o077);
  ensureDataDir(config.dataDir);
  const db: Db = openDatabase(config.dataDir, MIGRATIONS, (message, fields) => logger.log('warn', message, fields));
  const stopCheckpoints = startIdleCheckpoints(db);
  tightenPermissions(config.dataDir);

  const bus = createEventBus();
  const workspaceStore = createWorkspaceStore(db);
  const access = createAccessService({ logger, workspaceExists: (id) => workspaceStore.exists(id) });
  const audit = createAuditService({ store: createAuditStore(db), clock, bus, access });
  const workspaces = createWorkspaceService({ store: workspaceStore, clock, audit, access, bus });
  workspaces.ensureDefault(SYSTEM_ACTOR);
  const references = createReferenceIndex({ store: createReferenceStore(db) });
  const settingsStore = createSettingsStore(db);
  const keyStore = ports.keyStore ?? createKeytarKeyStore();
  const vaultStore = createVaultStore(db);
  const vault = createVaultService({
    store: vaultStore,
    settings: settingsStore,
    keyStore,
    clock,
    audit,
    access,
    workspaces,
    bus,
    logger,
    kdfCost: ports.vaultKdf,
  });
  const vaultBackup = createVaultBackup({
    store: vaultStore,
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
  const connectionStore = createConnectionStore(db);
  const connections = createConnectionService({
    store: connectionStore,
    clock,
    logger,
    access,
    audit,
    bus,
    references,
    vault,
    tester: ports.connectionTester ?? createHttpConnectionTester({ timeoutMs: ports.connectionTestTimeoutMs }),
    // Connections whose credential is kept as a vault secret read it at use time (secrets is built below).
    readSecret: (workspaceId, secretId) => secrets.readForRuntime(workspaceId, secretId),
  });
  // A secret deleted with force: a connection that kept its credential in it lets go of it and turns `error`.
  references.onTargetRemoved('connection', (ref, target, actor) => {
    if (target.type === 'secret') connections.internal.detachSecret(ref.workspaceId, ref.fromId, target.id, actor);
  });
  const tokens = createTokenService({ store: createSigningKeyStore(db), clock, vault });
  const users = createUserService({ store: createUserStore(db), clock, audit, access, workspaces, tokens, throttle: createLoginThrottle({ clock }), passwords: ports.passwordHasher });
  const apiKeys = createApiKeyService({ store: createApiKeyStore(db), clock, audit, access });
  // Users and API keys get their grants from the same POLICY table as everyone: a role per workspace, or scopes.
  access.registerResolver('user', (actor, ws) => {
    const role = users.roleIn(actor.id, ws);
    return role ? { role } : null;
  });
  access.registerResolver('apiKey', (actor, ws) => {
    const scopes = apiKeys.scopesIn(actor.id, ws);
    return scopes ? { scopes } : null;
  });
  const settings = createSettingsService({ store: settingsStore, audit, access, workspaces, bus, config });
  const session = createSessionService({ access, workspaces, config });
  const scheduler = createScheduler({ clock, logger });
  const secretStore = createSecretStore(db);
  const secrets = createSecretService({
    store: secretStore,
    clock,
    logger,
    bus,
    audit,
    access,
    vault,
    references,
    systemActor: SYSTEM_ACTOR,
  });
  scheduler.register(secrets.rotationJob);
  scheduler.register({ name: 'vault.auto-lock', tick: async (now) => void vault.lockIfIdle(now) });
  const oauthApps = createOAuthAppService({ store: createOAuthAppStore(db), clock, access, audit, vault });
  const oauthTokens = createOAuthTokenService({
    store: createOAuthTokenStore(db),
    clock,
    logger,
    access,
    audit,
    bus,
    vault,
    connections,
    apps: oauthApps,
    system: SYSTEM_ACTOR,
    policy: ports.oauthRefreshPolicy,
  });
  const oauthFlows = createOAuthFlowService({
    logger,
    access,
    audit,
    // The connection, its tokens and its status commit together; all stores share this database.
    transaction: connectionStore.transaction,
    connections,
    apps: oauthApps,
    tokens: oauthTokens,
    flowTimeoutMs: ports.oauthFlowTimeoutMs,
    openExternal: ports.openExternal,
  });
  // OAuth connections authenticate (tests, runs) with an access token from the rotation service.
  connections.internal.registerCredentialSource('oauth2', (c) => oauthTokens.internal.getAccessToken(c.id));
  scheduler.register({ name: 'oauth-rotation', tick: (now) => oauthTokens.internal.tick(now) });
  const oauth = { apps: oauthApps, tokens: oauthTokens, flows: oauthFlows };
  // Each datastore's crash leftovers go when the vault is first unlocked (its folder's mark is checked with a key the
  // vault seals), and always before that datastore's first upload.
  const datastoreStore = createDatastoreStore(db);
  const datastores = createDatastoreServices({ db, store: datastoreStore, clock, logger, audit, access, bus, vault, references, dataDir: config.dataDir, s3: ports.s3, chooseSavePath: ports.chooseSavePath, sweep: ports.datastoreSweep });
  // Workflow definitions check the ids they name against this workspace's rows (reads only, no access check: the
  // workflow service has checked workflow.write for the caller, and an id's existence is all it learns).
  const workflowStore = createWorkflowStore(db);
  const workflows = createWorkflowService({
    store: workflowStore,
    clock,
    access,
    audit,
    bus,
    references,
    lookup: {
      connection: (ws, id) => connectionStore.get(ws, id) !== undefined,
      datastore: (ws, id) => datastoreStore.findDatastore(id)?.workspaceId === ws,
      secret: (ws, id) => secretStore.find(ws, id) !== undefined,
    },
  });
  // Workflow runs: the step kinds (storage, transform, http), the queue that executes runs, the service.
  const steps = createStepRegistry();
  steps.register(createStorageStepKind({ objects: datastores }));
  steps.register(createTransformStepKind());
  steps.register(createHttpStepKind({ connections, oauthTokens, audit, transaction: connectionStore.transaction, system: SYSTEM_ACTOR, clock, logger }));
  const runStore = createRunStore(db);
  const runOwner = createRunOwner();
  const runner = createRunner({
    store: runStore,
    // Runs read definitions through the definitions room's store (the only SQL on workflows / workflow_versions).
    definition: (workflowId, version) => workflowStore.getVersion(workflowId, version)?.definition,
    registry: steps,
    clock,
    logger,
    bus,
    audit,
    access,
    // Injection, not reveal: the value goes into a step (scrubbed from everything the run stores), never to a person,
    // so it is checked as secret.use by the runner and not audited as secret.accessed (the reveal-to-a-human event).
    readSecret: (workspaceId, secretId) => secrets.readForRuntime(workspaceId, secretId),
    // Its id, name and status only (one row, as the definitions' lookup reads it): "connection not found" otherwise.
    getConnection: (workspaceId, connectionId) => {
      const c = connectionStore.get(workspaceId, connectionId);
      if (!c) throw notFound('connection');
      return c;
    },
    owner: runOwner.id,
    tuning: ports.runner,
    wait: ports.runnerWait,
  });
  const runService = createRunService({ store: runStore, workflows: workflowStore, runner, owner: runOwner, clock, logger, bus, audit, access, systemActor: SYSTEM_ACTOR });
  scheduler.register(runService.internal.scheduleJob);
  const runs = { ...runService, internal: { ...runService.internal, steps } };
  // Built: from here on a request waits at most this long for another process's write lock, then answers 503.
  setBusyTimeout(db, ports.busyTimeoutMs ?? BUSY_TIMEOUT_MS);

  /** The vault part of start(): what it chose, as one line. Throws what stopped it (start() reports it). */
  async function startVault(opts: { initialize?: boolean; passphrase?: PassphraseSource; setupPassphrase?: PassphraseSource }): Promise<string> {
    const st = vault.status();
    if (st.state === 'uninitialized' && opts.initialize) {
      let keychainProblem: string;
      try {
        await vault.initializeWithKeychain(SYSTEM_ACTOR);
        return 'vault: keychain mode (set up now; the master key is in the OS keychain), unlocked';
      } catch (e) {
        keychainProblem = e instanceof Error ? e.message : 'unknown';
      }
      const p = opts.setupPassphrase ? await opts.setupPassphrase() : null;
      if (!p) return `vault: not set up: no OS keychain is reachable (${keychainProblem}) and no passphrase file was given; open the console to set it up`;
      const parsed = NewPassphraseSchema.safeParse(p);
      if (!parsed.success) return `vault: not set up: the passphrase file's passphrase is too short or too long (${parsed.error.issues[0]?.message ?? 'invalid'}); open the console to set it up`;
      await vault.initializeWithPassphrase(parsed.data, SYSTEM_ACTOR);
      return 'vault: passphrase mode (set up now from the passphrase file, no OS keychain reachable), unlocked';
    }
    if (st.state === 'locked' && st.mode === 'keychain') {
      await vault.unlockWithKeychain(SYSTEM_ACTOR);
      return 'vault: keychain mode, unlocked';
    }
    if (st.state === 'locked' && st.mode === 'passphrase') {
      const p = opts.passphrase ? await opts.passphrase() : null;
      if (!p) return 'vault: passphrase mode, locked: unlock it in the console (or give PROVENANCE_VAULT_PASSPHRASE_FILE)';
      await vault.unlockWithPassphrase(p, SYSTEM_ACTOR);
      return 'vault: passphrase mode, unlocked';
    }
    return st.state === 'uninitialized' ? 'vault: not set up; open the app to set it up' : `vault: ${st.mode} mode, ${st.state}`;
  }

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
    session,
    settings,
    scheduler,
    datastores,
    secrets,
    oauth,
    workflows,
    runs,
    /**
     * Brings the vault up at start. Keychain mode unlocks from the OS keychain; passphrase mode asks `passphrase`
     * (if given). With `initialize`, a vault that was never set up is created in keychain mode when a keychain is
     * reachable (the headless console's first run), else in passphrase mode with `setupPassphrase` when one is given
     * (PROVENANCE_VAULT_PASSPHRASE_FILE); otherwise it stays uninitialized and the setup screen shows.
     * Never throws: a locked or uninitialized vault is a state the UI shows, not a crash. Returns one line saying what
     * it did, for the shell to print (never a passphrase or a key).
     */
    async start(opts: { initialize?: boolean; passphrase?: PassphraseSource; setupPassphrase?: PassphraseSource } = {}): Promise<{ summary: string }> {
      let summary: string;
      try {
        summary = await startVault(opts);
      } catch (e) {
        const reason = e instanceof Error ? e.message : 'unknown';
        logger.log('warn', 'vault not unlocked at start', { reason });
        const st = vault.status();
        summary = st.state === 'uninitialized' ? `vault: not set up (${reason}); open the console to set it up` : `vault: ${st.mode} mode, locked (${reason})`;
      }
      // Started by the unlock; awaited here so the app serves nothing before the sweep is over.
      if (vault.isUnlocked()) await datastores.recover();
      // Runs a dead process left `running` are failed (interrupted) before this process takes queued runs.
      try {
        runService.internal.recoverInterrupted();
      } catch (e) {
        logger.log('warn', 'interrupted runs not recovered at start', { reason: e instanceof Error ? e.message : 'unknown' });
      }
      runService.internal.resume();
      return { summary };
    },
    close(): void {
      if (closed) return;
      closed = true;
      oauthFlows.internal.closeAll();
      void scheduler.stop();
      // Runs in flight are aborted and marked interrupted (replayable), as if the process had stopped.
      runService.internal.close();
      datastores.close();
      vault.forget();
      stopCheckpoints();
      db.close();
    },
  };
}
export type Core = ReturnType<typeof createCore>;
