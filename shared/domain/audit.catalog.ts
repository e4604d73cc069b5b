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
