import type { Migration } from './db/database';
import { foundationMigration, workspaceNameKeyMigration } from './workspaces/workspace-migrations';
import { referencesMigration } from './references/reference-migrations';
import { auditCheapChecksMigration, leanAuditMigration } from './audit/audit-migrations';
import { identityMigration } from './identity/identity-migrations';
import { vaultCoreMigration, vaultKeychainAccountMigration } from './vault/vault-migrations';
import { secretNameKeyMigration, secretNameSearchMigration, secretRestoredFromMigration, secretsMigration } from './secrets/secret-migrations';
import { connectionCredentialFieldsMigration, connectionNameKeyMigration, connectionsMigration } from './connections/connection-migrations';
import { oauthMigration } from './oauth/oauth-migrations';
import { workflowRunHeartbeatMigration, workflowsMigration } from './workflows/workflow-migrations';
import { datastoreNameKeyMigration, datastoreResumableUploadsMigration, datastoreUploadGrantsMigration, datastoresMigration } from './datastores/datastore-migrations';

/**
 * Part of the composition root: the app's schema is every capability's migrations, assembled here so that db/
 * (the type and the runner) never imports a capability. Numbered, append-only: never edit a released migration,
 * add a new number. Ranges are reserved per capability so parallel work cannot collide:
 * 1–99 foundation (workspaces, references, audit), 100–199 identity, 200–299 vault/secrets, 300–399 connections,
 * 400–499 datastores, 500–599 oauth, 600–699 workflows.
 */
export const MIGRATIONS: readonly Migration[] = [
  foundationMigration,
  referencesMigration,
  leanAuditMigration,
  workspaceNameKeyMigration,
  auditCheapChecksMigration,
  identityMigration,
  vaultCoreMigration,
  vaultKeychainAccountMigration,
  secretsMigration,
  secretNameKeyMigration,
  secretNameSearchMigration,
  secretRestoredFromMigration,
  connectionsMigration,
  connectionCredentialFieldsMigration,
  connectionNameKeyMigration,
  oauthMigration,
  datastoresMigration,
  datastoreNameKeyMigration,
  datastoreUploadGrantsMigration,
  datastoreResumableUploadsMigration,
  workflowsMigration,
  workflowRunHeartbeatMigration,
];
