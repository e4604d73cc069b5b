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
  'secrets:list',
  'secrets:get',
  'secrets:create',
  'secrets:update',
  'secrets:rotate',
  'secrets:rollback',
  'secrets:reveal',
  'secrets:delete',
] as const satisfies readonly Channel[];

type Missing = Exclude<Channel, (typeof CHANNELS)[number]>;
export const _everyChannelListed: [Missing] extends [never] ? true : Missing = true;

/** Main → renderer pushes (`domain:event`). Payloads are small, never secret. */
export const PUSH_EVENTS = ['workspaces:changed', 'audit:appended', 'secrets:changed'] as const;
export type PushEvent = (typeof PUSH_EVENTS)[number];
export type PushPayloads = {
  'workspaces:changed': { workspaceId: string };
  'audit:appended': { workspaceId: string | null; action: string };
  'secrets:changed': { workspaceId: string; id: string };
};
