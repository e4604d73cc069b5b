import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Actor } from '@shared/domain/actor';
import type { UploadUrl } from '@shared/domain/datastore';
import type { AuditService } from '../audit/audit-service';
import { AppError, invalid } from '../errors';
import type { Clock } from '../ports';
import type { VaultPort } from '../vault/vault-port';
import { describeBackendError } from './backend-errors';
import type { BackendRegistry } from './backend-registry';
import type { DatastoreGuard } from './datastore-guard';
import type { DatastoreObjectService } from './datastore-object-service';
import type { DatastoreStore } from './datastore-store';
import { signUploadGrant, verifyUploadGrant } from './upload-grant-token';

const PRESIGN_AAD = 'settings:datastores.presign-key';
const DEFAULT_EXPIRES_IN = 900;

/**
 * Upload URLs: a client with no credentials PUTs an object's bytes to a URL an authorized caller asked for. For S3
 * it is the SDK's real pre-signed PUT (the object's row is written when the next listing finds it); for the
 * filesystem it is `PUT /datastores/{id}/upload/<token>` on the local API server, the token an HMAC-signed grant
 * whose key the vault seals. What must stay true: only a caller holding datastore.object_write gets a URL, and a
 * token is honoured for exactly what was signed into it.
 */
export function createUploadGrantService(deps: {
  store: Pick<DatastoreStore, 'transaction' | 'findDatastore' | 'upsertPendingUpload' | 'sealedPresignKey' | 'insertSealedPresignKey'>;
  guard: DatastoreGuard;
  backends: Pick<BackendRegistry, 'backendFor'>;
  objects: Pick<DatastoreObjectService, 'putStream'>;
  vault: VaultPort;
  audit: Pick<AuditService, 'record'>;
  clock: Clock;
}) {
  const { store, guard, vault, audit, clock } = deps;
  let localApiUrl: string | null = null;

  /** The signing key, made (and sealed) on first use; when two callers race, the first stored wins for both. */
  function signingKey(): Buffer {
    const sealed = store.sealedPresignKey();
    if (sealed) return vault.open(sealed, PRESIGN_AAD);
    store.insertSealedPresignKey(vault.seal(randomBytes(32), PRESIGN_AAD));
    return signingKey();
  }

  async function createUploadUrl(
    actor: Actor,
    input: { workspaceId: string; datastoreId: string; key: string; contentType: string; expiresIn?: number; maxBytes?: number },
  ): Promise<UploadUrl> {
    const d = guard.load(actor, input.workspaceId, input.datastoreId, 'datastore.object_write');
    const expiresIn = input.expiresIn ?? DEFAULT_EXPIRES_IN;
    const expiresAt = new Date(clock.now().getTime() + expiresIn * 1000);
    let result: UploadUrl;
    if (d.backendType === 's3') {
      if (input.maxBytes !== undefined) throw invalid('maxBytes is only supported by filesystem datastores', 'maxBytes');
      let signed;
      try {
        signed = await deps.backends.backendFor(d).presignPut!(input.key, input.contentType, expiresIn);
      } catch (e) {
        throw describeBackendError(e, d);
      }
      result = { url: signed.url, method: 'PUT', headers: signed.headers, expiresAt: expiresAt.toISOString() };
    } else {
      if (!localApiUrl) throw new AppError('UNAVAILABLE', 'upload URLs for filesystem datastores are served by the local API server, which is not running; start the console with npm run serve');
      const token = signUploadGrant(signingKey(), {
        d: d.id,
        k: input.key,
        c: input.contentType,
        e: Math.floor(expiresAt.getTime() / 1000),
        m: input.maxBytes ?? null,
        u: actor.name,
      });
      result = { url: `${localApiUrl}/datastores/${d.id}/upload/${token}`, method: 'PUT', headers: { 'content-type': input.contentType }, expiresAt: expiresAt.toISOString() };
    }
    store.transaction(() => {
      if (d.backendType === 's3') {
        store.upsertPendingUpload({
          datastoreId: d.id,
          workspaceId: d.workspaceId,
          key: input.key,
          contentType: input.contentType,
          createdBy: actor.name,
          expiresAt: expiresAt.toISOString(),
        });
      }
      audit.record({
        workspaceId: input.workspaceId,
        action: 'datastore.upload_url_created',
        actor,
        target: { type: 'datastore', id: d.id, name: d.name },
        details: { objectKey: input.key, contentType: input.contentType, expiresAt: expiresAt.toISOString(), maxBytes: input.maxBytes ?? null },
      });
    });
    return result;
  }

  /**
   * A PUT on a filesystem upload URL. The token carries what was granted (datastore, key, content type, expiry,
   * size limit) and its HMAC; anything altered, expired, aimed at another datastore or sent with another content
   * type is a 403 before a byte is stored.
   */
  async function putWithUploadToken(datastoreId: string, token: string, contentType: string | undefined, body: Readable) {
    const denied = () => new AppError('FORBIDDEN', 'this upload URL is invalid or has expired; ask for a new one with POST /datastores/{id}/upload-url');
    const grant = verifyUploadGrant(signingKey, token);
    if (!grant || grant.d !== datastoreId || grant.e * 1000 < clock.now().getTime()) throw denied();
    if ((contentType ?? '') !== grant.c) throw new AppError('FORBIDDEN', `this upload URL was signed for Content-Type ${grant.c}; send exactly that header`);
    const d = store.findDatastore(datastoreId);
    if (!d) throw denied();
    // The URL is the grant: its creator held datastore.object_write when it was signed. It is stored as theirs.
    const actor: Actor = { kind: 'system', id: 'upload-url', name: grant.u, origin: 'presigned-url' };
    return deps.objects.putStream(actor, d.workspaceId, d.id, grant.k, body, { contentType: grant.c, maxBytes: grant.m ?? undefined });
  }

  return {
    createUploadUrl,
    putWithUploadToken,
    /** Where the local API server listens (null: not running); filesystem upload URLs point there. */
    setLocalApiUrl: (url: string | null) => void (localApiUrl = url),
  };
}
export type UploadGrantService = ReturnType<typeof createUploadGrantService>;
