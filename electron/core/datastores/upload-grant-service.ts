import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ActorKindSchema, type Actor } from '@shared/domain/actor';
import type { UploadUrl } from '@shared/domain/datastore';
import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import { AppError, conflict, invalid } from '../errors';
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
/** S3 pre-signed PUTs go straight to S3: the app can neither make them single-use nor revoke them, so they are short. */
export const S3_MAX_EXPIRES_IN = 3600;

export const URL_ALREADY_USED = 'this upload URL was already used; ask for a new one';

/**
 * Upload URLs: a client with no credentials PUTs an object's bytes to a URL an authorized caller asked for. For S3
 * it is the SDK's real pre-signed PUT (the object's row is written when the next listing finds it); for the
 * filesystem it is `PUT /datastores/{id}/upload/<token>` on the local API server, the token an HMAC-signed grant
 * whose key the vault seals.
 *
 * What must stay true: only a caller holding datastore.object_write gets a URL; a token is honoured for exactly what
 * was signed into it; a filesystem URL stores one object once (its nonce is consumed in the transaction that writes
 * the object's row, so a replay, even one racing the first PUT, is 409 and changes nothing); and it is honoured only
 * while its issuer still may write to the datastore (a deleted API key, a user without the role: 403). S3 URLs cannot
 * be held to either, so they expire within S3_MAX_EXPIRES_IN.
 */
/** No local server and no upload endpoint to start (a core without a shell, e.g. a test or the CLI). */
export const UPLOAD_ENDPOINT_MISSING =
  'upload URLs for filesystem datastores are served by the app over loopback, and this process serves none: turn on Settings → REST API in the desktop app, or use the console (npm run serve)';

export function createUploadGrantService(deps: {
  store: Pick<
    DatastoreStore,
    'transaction' | 'findDatastore' | 'upsertPendingUpload' | 'sealedPresignKey' | 'insertSealedPresignKey' | 'insertUploadGrant' | 'findUploadGrant' | 'consumeUploadGrant' | 'purgeUploadGrants'
  >;
  guard: DatastoreGuard;
  access: Pick<AccessService, 'allowed'>;
  backends: Pick<BackendRegistry, 'backendFor'>;
  objects: Pick<DatastoreObjectService, 'putStream'>;
  vault: VaultPort;
  audit: Pick<AuditService, 'record'>;
  clock: Clock;
}) {
  const { store, guard, vault, audit, clock } = deps;
  let localApiUrl: string | null = null;
  /** The desktop's on-demand upload endpoint (null: none; headless always serves one with its REST API). */
  let endpointStarter: (() => Promise<string>) | null = null;
  let starting: Promise<string> | null = null;

  /** Where filesystem upload URLs point: the running local server, else the upload endpoint started now. */
  async function uploadBaseUrl(): Promise<string> {
    if (localApiUrl) return localApiUrl;
    if (!endpointStarter) throw new AppError('UNAVAILABLE', UPLOAD_ENDPOINT_MISSING);
    starting ??= endpointStarter().finally(() => (starting = null));
    try {
      return await starting;
    } catch {
      throw new AppError('UNAVAILABLE', 'the local upload endpoint could not start (the details are in the app log): try again, or turn on Settings → REST API');
    }
  }

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
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + expiresIn * 1000);
    let result: UploadUrl;
    let nonce: string | null = null;
    if (d.backendType === 's3') {
      if (input.maxBytes !== undefined) throw invalid('maxBytes is only supported by filesystem datastores', 'maxBytes');
      if (expiresIn > S3_MAX_EXPIRES_IN) {
        throw invalid(`S3 upload URLs go straight to S3, where they cannot be made single-use or revoked, so they live at most ${S3_MAX_EXPIRES_IN} seconds`, 'expiresIn');
      }
      let signed;
      try {
        signed = await (await deps.backends.backendFor(d)).presignPut!(input.key, input.contentType, expiresIn);
      } catch (e) {
        throw describeBackendError(e, d);
      }
      result = { url: signed.url, method: 'PUT', headers: signed.headers, expiresAt: expiresAt.toISOString() };
    } else {
      const baseUrl = await uploadBaseUrl();
      nonce = randomBytes(16).toString('base64url');
      const token = signUploadGrant(signingKey(), {
        d: d.id,
        k: input.key,
        c: input.contentType,
        e: Math.floor(expiresAt.getTime() / 1000),
        m: input.maxBytes ?? null,
        u: actor.name,
        n: nonce,
      });
      result = { url: `${baseUrl}/datastores/${d.id}/upload/${token}`, method: 'PUT', headers: { 'content-type': input.contentType }, expiresAt: expiresAt.toISOString() };
    }
    store.transaction(() => {
      // Grants whose URLs expired can no longer be used or replayed (the signed expiry refuses them first).
      store.purgeUploadGrants(now.toISOString());
      if (nonce !== null) {
        store.insertUploadGrant({
          nonce,
          datastoreId: d.id,
          workspaceId: d.workspaceId,
          key: input.key,
          issuerKind: actor.kind,
          issuerId: actor.id,
          expiresAt: expiresAt.toISOString(),
        });
      }
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
   * size limit, nonce) and its HMAC; anything altered, expired, aimed at another datastore or sent with another
   * content type is a 403 before a byte is stored, as is a URL whose issuer may no longer write to the datastore. A
   * URL already used is a 409; its nonce is consumed with the object's row, so only one PUT of a URL ever stores.
   */
  async function putWithUploadToken(datastoreId: string, token: string, contentType: string | undefined, body: Readable) {
    const denied = () => new AppError('FORBIDDEN', 'this upload URL is invalid or has expired; ask for a new one with POST /datastores/{id}/upload-url');
    const grant = verifyUploadGrant(signingKey, token);
    if (!grant || grant.d !== datastoreId || grant.e * 1000 < clock.now().getTime() || typeof grant.n !== 'string') throw denied();
    if ((contentType ?? '') !== grant.c) throw new AppError('FORBIDDEN', `this upload URL was signed for Content-Type ${grant.c}; send exactly that header`);
    const d = store.findDatastore(datastoreId);
    const row = store.findUploadGrant(grant.n);
    if (!d || !row || row.datastoreId !== d.id || row.key !== grant.k) throw denied();
    if (row.usedAt !== null) throw conflict(URL_ALREADY_USED);
    // The URL is its issuer's grant, good only while they may still write here (re-checked from the POLICY table).
    const kind = ActorKindSchema.safeParse(row.issuerKind);
    const issuer: Actor | null = kind.success ? { kind: kind.data, id: row.issuerId, name: grant.u, origin: 'presigned-url' } : null;
    if (!issuer || !deps.access.allowed(issuer, d.workspaceId, 'datastore.object_write')) {
      throw new AppError(
        'FORBIDDEN',
        issuer?.kind === 'apiKey'
          ? 'the key that issued this upload URL was revoked (or may no longer write to this datastore); ask for a new upload URL'
          : 'whoever issued this upload URL may no longer write to this datastore; ask for a new upload URL',
      );
    }
    const nonce = grant.n;
    // Stored as the issuer's upload. The grant is consumed with the object's row: a replay racing this PUT loses there.
    const actor: Actor = { kind: 'system', id: 'upload-url', name: grant.u, origin: 'presigned-url' };
    return deps.objects.putStream(actor, d.workspaceId, d.id, grant.k, body, {
      contentType: grant.c,
      maxBytes: grant.m ?? undefined,
      claim: () => {
        if (!store.consumeUploadGrant(nonce, clock.now().toISOString())) throw conflict(URL_ALREADY_USED);
      },
    });
  }

  return {
    createUploadUrl,
    putWithUploadToken,
    /** Where the local API server listens (null: not running); filesystem upload URLs point there. */
    setLocalApiUrl: (url: string | null) => void (localApiUrl = url),
    /**
     * The desktop registers how to start its loopback upload endpoint; a filesystem upload URL issued while no local
     * server runs (Settings → REST API is off by default) starts it then. It must resolve to the endpoint's base URL.
     */
    setUploadEndpointStarter: (start: (() => Promise<string>) | null) => void (endpointStarter = start),
  };
}
export type UploadGrantService = ReturnType<typeof createUploadGrantService>;
