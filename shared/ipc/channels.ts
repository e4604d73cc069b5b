import type { Channel } from './contract';

/**
 * Channel names as plain data, with no zod, so the sandboxed preload bundle stays dependency-free.
 * `_everyChannelListed` below fails to compile if a contract channel is missing here.
 */
export const CHANNELS = [
  'session:info',
  'app:bootstrap',
  'workspaces:list',
  'workspaces:create',
  'workspaces:rename',
  'audit:list',
  'audit:export',
  'vault:status',
  'vault:initialize',
  'vault:unlock',
  'vault:lock',
  'vault:rotateMasterKey',
  'vault:rotateDataKey',
  'vault:setAutoLock',
  'vault:exportBackup',
  'vault:restoreBackup',
  'datastores:list',
  'datastores:get',
  'datastores:create',
  'datastores:delete',
  'datastores:reattach',
  'datastores:test',
  'datastores:usage',
  'datastores:objects:list',
  'datastores:objects:head',
  'datastores:objects:preview',
  'datastores:objects:delete',
  'datastores:objects:putText',
  'datastores:uploadUrl',
  'datastores:uploadFromPath',
  'datastores:cancelUpload',
  'datastores:objects:saveAs',
  'datastores:storageStep',
  'connections:list',
  'connections:get',
  'connections:create',
  'connections:update',
  'connections:delete',
  'connections:test',
  'connections:testDraft',
  'connections:credential',
  'auth:login',
  'auth:me',
  'users:list',
  'users:create',
  'users:update',
  'users:delete',
  'apiKeys:list',
  'apiKeys:create',
  'apiKeys:delete',
  'settings:get',
  'settings:update',
  'secrets:list',
  'secrets:get',
  'secrets:create',
  'secrets:update',
  'secrets:rotate',
  'secrets:rollback',
  'secrets:reveal',
  'secrets:delete',
  'oauthApps:list',
  'oauthApps:create',
  'oauthApps:update',
  'oauthApps:delete',
  'oauth:authorize',
  'oauth:reauthorize',
  'oauth:flowStatus',
  'oauth:flowCancel',
  'oauth:health',
  'workflows:list',
  'workflows:get',
  'workflows:create',
  'workflows:update',
  'workflows:delete',
  'workflows:versions',
  'workflows:validate',
  'workflows:schema',
  'workflows:export',
  'workflows:run',
  'runs:list',
  'runs:get',
  'runs:cancel',
  'runs:replay',
] as const satisfies readonly Channel[];

type Missing = Exclude<Channel, (typeof CHANNELS)[number]>;
export const _everyChannelListed: [Missing] extends [never] ? true : Missing = true;

/** Main → renderer pushes (`domain:event`). Payloads are small, never secret. */
export const PUSH_EVENTS = [
  'workspaces:changed',
  'audit:appended',
  'vault:changed',
  'connections:changed',
  'settings:changed',
  'secrets:changed',
  'oauth:healthChanged',
  'datastores:changed',
  'datastores:uploadProgress',
  'workflows:changed',
  'runs:changed',
] as const;
export type PushEvent = (typeof PUSH_EVENTS)[number];
export type PushPayloads = {
  'workspaces:changed': { workspaceId: string };
  'audit:appended': { workspaceId: string | null; action: string };
  'vault:changed': { state: 'uninitialized' | 'locked' | 'unlocked'; mode: 'keychain' | 'passphrase' | null };
  'datastores:changed': { workspaceId: string; datastoreId: string };
  /** Streaming uploads (dropped files, console uploads): bytes received so far; `state` ends with done/failed/cancelled. */
  'datastores:uploadProgress': {
    uploadId: string;
    workspaceId: string;
    datastoreId: string;
    key: string;
    bytes: number;
    total: number | null;
    state: 'running' | 'done' | 'failed' | 'cancelled';
    error?: string;
  };
  'connections:changed': { workspaceId: string; id: string };
  /** Which top-level settings changed; the desktop shell starts or stops the REST server on restApi. */
  'settings:changed': { keys: string[] };
  'secrets:changed': { workspaceId: string; id: string };
  'oauth:healthChanged': { workspaceId: string };
  'workflows:changed': { workspaceId: string; id: string };
  /** A run or one of its steps changed state (live run view); the renderer fetches runs:get. */
  'runs:changed': { workspaceId: string; workflowId: string; runId: string; status: string };
};
