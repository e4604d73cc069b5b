import type { Channel } from './contract';

/**
 * Channel names as plain data, with no zod, so the sandboxed preload bundle stays dependency-free.
 * `_everyChannelListed` below fails to compile if a contract channel is missing here.
 */
export const CHANNELS = [
  'session:info',
  'workspaces:list',
  'workspaces:create',
  'workspaces:rename',
  'audit:list',
  'connections:list',
  'connections:get',
  'connections:create',
  'connections:update',
  'connections:delete',
  'connections:test',
  'connections:test-draft',
  'oauthApps:list',
  'oauthApps:create',
  'oauthApps:update',
  'oauthApps:delete',
  'oauth:authorize',
  'oauth:reauthorize',
  'oauth:flow-status',
  'oauth:flow-cancel',
  'oauth:health',
] as const satisfies readonly Channel[];

type Missing = Exclude<Channel, (typeof CHANNELS)[number]>;
export const _everyChannelListed: [Missing] extends [never] ? true : Missing = true;

/** Main → renderer pushes (`domain:event`). Payloads are small, never secret. */
export const PUSH_EVENTS = ['workspaces:changed', 'audit:appended', 'connections:changed', 'oauth:health-changed'] as const;
export type PushEvent = (typeof PUSH_EVENTS)[number];
export type PushPayloads = {
  'workspaces:changed': { workspaceId: string };
  'audit:appended': { workspaceId: string | null; action: string };
  'connections:changed': { workspaceId: string; id: string };
  'oauth:health-changed': { workspaceId: string };
};
