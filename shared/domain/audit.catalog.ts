/** Plain data, no zod: the renderer imports this file for values, which keeps zod out of its bundle. */

export const RISKS = ['low', 'medium', 'high'] as const;
export type Risk = (typeof RISKS)[number];

/**
 * Every audit action the app emits, with its risk. One table so the UI filter, the docs' events
 * (secret.accessed and connection.accessed are high) and the writers cannot drift apart.
 */
export const AUDIT_ACTIONS = {
  'workspace.created': 'medium',
  'workspace.renamed': 'low',
  'user.created': 'medium',
  'user.updated': 'medium',
  'user.deleted': 'medium',
  'user.login_failed': 'medium',
  'apikey.created': 'high',
  'apikey.deleted': 'medium',
  'vault.initialized': 'high',
  'vault.unlocked': 'medium',
  'vault.locked': 'low',
  'vault.unlock_failed': 'high',
  'vault.key_rotated': 'high',
  'vault.backup_exported': 'high',
  'vault.backup_restored': 'high',
  'secret.created': 'medium',
  'secret.updated': 'medium',
  'secret.rotated': 'medium',
  'secret.rolled_back': 'medium',
  'secret.deleted': 'medium',
  'secret.accessed': 'high',
  'connection.created': 'medium',
  'connection.updated': 'medium',
  'connection.deleted': 'medium',
  'connection.tested': 'low',
  'connection.accessed': 'high',
  'connection.refresh_failed': 'high',
  'oauthapp.created': 'medium',
  'oauthapp.updated': 'medium',
  'oauthapp.deleted': 'medium',
  'datastore.created': 'medium',
  'datastore.deleted': 'medium',
  'datastore.object_uploaded': 'low',
  'datastore.object_deleted': 'medium',
  'datastore.upload_url_created': 'medium',
  'datastore.folder_reattached': 'high',
  'settings.updated': 'low',
  'workflow.created': 'medium',
  'workflow.updated': 'medium',
  'workflow.deleted': 'medium',
  'workflow.run_started': 'low',
  'workflow.run_succeeded': 'low',
  'workflow.run_failed': 'medium',
  'workflow.run_cancelled': 'low',
  'connection.used': 'medium',
} as const satisfies Record<string, Risk>;
export type AuditAction = keyof typeof AUDIT_ACTIONS;

/**
 * Every action as the audit screen and the exports name it: what happened, in words, past tense. Keyed by the
 * catalog above so a new action cannot ship without its words (the type check fails).
 */
export const AUDIT_ACTION_LABELS = {
  'workspace.created': 'Workspace created',
  'workspace.renamed': 'Workspace renamed',
  'user.created': 'User created',
  'user.updated': 'User changed',
  'user.deleted': 'User deleted',
  'user.login_failed': 'Sign-in failed',
  'apikey.created': 'API key created',
  'apikey.deleted': 'API key deleted',
  'vault.initialized': 'Vault set up',
  'vault.unlocked': 'Vault unlocked',
  'vault.locked': 'Vault locked',
  'vault.unlock_failed': 'Vault unlock failed',
  'vault.key_rotated': 'Master key rotated',
  'vault.backup_exported': 'Vault backup exported',
  'vault.backup_restored': 'Vault backup restored',
  'secret.created': 'Secret created',
  'secret.updated': 'Secret changed',
  'secret.rotated': 'Secret rotated',
  'secret.rolled_back': 'Secret rolled back',
  'secret.deleted': 'Secret deleted',
  'secret.accessed': 'Secret revealed',
  'connection.created': 'Connection created',
  'connection.updated': 'Connection changed',
  'connection.deleted': 'Connection deleted',
  'connection.tested': 'Connection tested',
  'connection.accessed': 'Connection details opened',
  'connection.refresh_failed': 'Token refresh failed',
  'oauthapp.created': 'OAuth app added',
  'oauthapp.updated': 'OAuth app changed',
  'oauthapp.deleted': 'OAuth app deleted',
  'datastore.created': 'Datastore created',
  'datastore.deleted': 'Datastore deleted',
  'datastore.object_uploaded': 'Object uploaded',
  'datastore.object_deleted': 'Object deleted',
  'datastore.upload_url_created': 'Upload URL issued',
  'datastore.folder_reattached': 'Datastore folder reattached',
  'settings.updated': 'Settings changed',
  'workflow.created': 'Workflow created',
  'workflow.updated': 'Workflow changed',
  'workflow.deleted': 'Workflow deleted',
  'workflow.run_started': 'Workflow run started',
  'workflow.run_succeeded': 'Workflow run succeeded',
  'workflow.run_failed': 'Workflow run failed',
  'workflow.run_cancelled': 'Workflow run cancelled',
  'connection.used': 'Connection credential used',
} as const satisfies Record<AuditAction, string>;

/** An action's words; an action this build does not know (a newer database) shows as it is stored. */
export const auditActionLabel = (action: string): string => (AUDIT_ACTION_LABELS as Record<string, string>)[action] ?? action;

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
export const AUDIT_OUTCOME_LABELS = { success: 'Succeeded', failure: 'Failed', denied: 'Denied' } as const satisfies Record<AuditOutcome, string>;

/** What an export of the audit log can be: the rows as CSV (spreadsheets) or as JSON (scripts, SIEMs). */
export const AUDIT_EXPORT_FORMATS = ['csv', 'json'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];
