import fc from 'fast-check';
import { byMode, hostileString, type Mode } from './hostile-values';

/**
 * What the fuzz suite knows of the server: ids of things that exist (seeded by the bench, then harvested from
 * answers), so valid-ish cases reach the services instead of stopping at a 404, and the id a field names.
 */

export type IdKind = 'workspace' | 'secret' | 'connection' | 'datastore' | 'user' | 'apiKey' | 'oauthApp' | 'flow' | 'workflow' | 'run';
export const ID_KINDS: readonly IdKind[] = ['workspace', 'secret', 'connection', 'datastore', 'user', 'apiKey', 'oauthApp', 'flow', 'workflow', 'run'];

/** Ids by kind, and the other values the cases draw from. */
export type Pools = Record<IdKind, string[]> & {
  objectKey: string[];
  /** Objects that exist, with their datastore and workspace: cases that hit one get past the 404. */
  objectRef: Array<{ workspaceId: string; datastoreId: string; key: string }>;
  /**
   * Canaries the fuzz writes into write-only fields (secret values, credentials, client secrets, the S3 secret key,
   * passwords, passphrases): no answer may carry one back, except a permitted reveal of the secret it became.
   */
  writeOnly: string[];
  username: string[];
  password: string[];
  cursor: string[];
  /** A folder of the fuzz's own: the only place a generated filesystem path may point into. */
  sandbox: string;
};

export const NIL = '00000000-0000-4000-8000-000000000000';

export function pick(list: () => readonly string[], fallback: string): fc.Arbitrary<string> {
  return fc.nat({ max: 1_000_000 }).map((i) => {
    const l = list();
    return l.length ? l[i % l.length]! : fallback;
  });
}

/** An id of `kind`: valid ones exist (or are a fresh UUID); hostile ones are another kind's, malformed, or no id at all. */
export function idArb(pools: Pools, kind: IdKind, mode: Mode = 'valid'): fc.Arbitrary<string> {
  const valid = fc.oneof({ weight: 8, arbitrary: pick(() => pools[kind], NIL) }, { weight: 1, arbitrary: fc.uuid() });
  const hostile = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...ID_KINDS).chain((k) => pick(() => pools[k], NIL)) },
    { weight: 1, arbitrary: fc.constantFrom(NIL, NIL.toUpperCase().replace('4000', '4ABC'), 'ffffffff-ffff-ffff-ffff-ffffffffffff', `${NIL} `, `{${NIL}}`) },
    { weight: 2, arbitrary: hostileString },
  );
  return byMode(mode, valid, hostile);
}

/** Which pool a field's ids come from: named fields anywhere, and `id` by the channel's domain. Null: unknown. */
export function idKindFor(channel: string, field: string): IdKind | null {
  switch (field) {
    case 'workspaceId':
      return 'workspace';
    case 'datastoreId':
      return 'datastore';
    case 'flowId':
      return 'flow';
    case 'connectionId':
      return 'connection';
    case 'credentialSecretId':
    case '$secret':
      return 'secret';
    case 'workflowId':
      return 'workflow';
  }
  if (field !== 'id') return null;
  const byDomain: Record<string, IdKind> = {
    secrets: 'secret',
    connections: 'connection',
    datastores: 'datastore',
    users: 'user',
    apiKeys: 'apiKey',
    oauthApps: 'oauthApp',
    workspaces: 'workspace',
    workflows: 'workflow',
    runs: 'run',
    // oauth:reauthorize names the connection to consent for again.
    oauth: 'connection',
  };
  return byDomain[channel.split(':')[0]!] ?? null;
}

/** The password the bench gives its victim users: valid-ish sign-ins and new users use it. */
export const VICTIM_PASSWORD = 'fuzz victim passphrase';

