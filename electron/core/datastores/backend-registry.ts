import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { BackendInfo, BackendInput } from '@shared/domain/datastore';
import { invalid } from '../errors';
import type { VaultPort } from '../vault/vault-port';
import type { BackendHousekeeping, ObjectBackend } from './backends/backend-port';
import { canAdoptRoot, filesystemHousekeeping, openFilesystemBackend } from './backends/filesystem-backend';
import { openLazyS3Backend, s3Housekeeping } from './backends/lazy-s3-backend';
import type { StoredDatastore } from './datastore-store';

/** Non-secret settings of each backend type, as stored in `backendConfig` (JSON). */
type FsConfig = { path: string; managed: boolean };
type S3Config = { endpoint: string | null; region: string; bucket: string; prefix: string; forcePathStyle: boolean; accessKeyId: string };

/** Multipart tuning for S3 datastores. */
export type S3Tuning = { partSize?: number; queueSize?: number; maxAttempts?: number };

const dataKeyAad = (id: string) => `datastore:${id}:data-key`;
const s3SecretAad = (id: string) => `datastore:${id}:secret-access-key`;

/**
 * The datastores' backends: what a new datastore stores of its backend (settings as JSON, its secret sealed by the
 * vault: the filesystem backend's data key or the S3 secret access key), the open backend of each datastore (opened
 * once, on first use, since opening needs the unlocked vault), and the keyless housekeeping of each.
 */
export function createBackendRegistry(deps: { vault: VaultPort; dataDir: string; s3?: S3Tuning }) {
  const { vault } = deps;
  const open = new Map<string, ObjectBackend>();

  /**
   * The stored settings and sealed secret of a new datastore's backend. A filesystem datastore lives in a folder
   * under the data dir unless the admin names one, which must be absolute and hold nothing of anyone else's.
   */
  function configure(id: string, backend: BackendInput): Pick<StoredDatastore, 'backendType' | 'backendConfig' | 'sealedSecret'> {
    if (backend.type === 'filesystem') {
      const managed = backend.path === undefined;
      const root = managed ? path.join(deps.dataDir, 'datastores', id) : backend.path!;
      if (!path.isAbsolute(root)) throw invalid('backend.path must be an absolute folder path', 'backend.path');
      if (!managed && !canAdoptRoot(root)) {
        throw invalid('backend.path must be an empty folder (or one not yet created): the datastore keeps its own layout there', 'backend.path');
      }
      const config: FsConfig = { path: path.resolve(root), managed };
      return { backendType: 'filesystem', backendConfig: JSON.stringify(config), sealedSecret: vault.seal(randomBytes(32), dataKeyAad(id)) };
    }
    const { secretAccessKey, type: _t, ...rest } = backend;
    const config: S3Config = {
      endpoint: rest.endpoint ?? null,
      region: rest.region,
      bucket: rest.bucket,
      prefix: rest.prefix ?? '',
      forcePathStyle: rest.forcePathStyle ?? false,
      accessKeyId: rest.accessKeyId,
    };
    return { backendType: 's3', backendConfig: JSON.stringify(config), sealedSecret: vault.seal(Buffer.from(secretAccessKey, 'utf8'), s3SecretAad(id)) };
  }

  /** What is shown of a backend: its settings, never its secret. */
  function info(d: StoredDatastore): BackendInfo {
    if (d.backendType === 'filesystem') {
      const c = JSON.parse(d.backendConfig) as FsConfig;
      return { type: 'filesystem', path: c.path, encrypted: true };
    }
    return { type: 's3', ...(JSON.parse(d.backendConfig) as S3Config) };
  }

  /** The datastore's open backend (opened now if it is not yet; throws VAULT_LOCKED while the vault is locked). */
  function backendFor(d: StoredDatastore): ObjectBackend {
    const cached = open.get(d.id);
    if (cached) return cached;
    let b: ObjectBackend;
    if (d.backendType === 'filesystem') {
      const c = JSON.parse(d.backendConfig) as FsConfig;
      b = openFilesystemBackend({ root: c.path, dataKey: vault.open(d.sealedSecret!, dataKeyAad(d.id)) });
    } else {
      const c = JSON.parse(d.backendConfig) as S3Config;
      b = openLazyS3Backend({
        ...c,
        secretAccessKey: vault.open(d.sealedSecret!, s3SecretAad(d.id)).toString('utf8'),
        partSize: deps.s3?.partSize,
        queueSize: deps.s3?.queueSize,
        maxAttempts: deps.s3?.maxAttempts,
      });
    }
    open.set(d.id, b);
    return b;
  }

  function housekeeping(d: StoredDatastore): BackendHousekeeping {
    if (d.backendType === 's3') return s3Housekeeping;
    const c = JSON.parse(d.backendConfig) as FsConfig;
    return filesystemHousekeeping({ root: c.path, managed: c.managed });
  }

  return {
    configure,
    info,
    backendFor,
    /** The backend if it is open already (deleting an empty datastore needs no vault). */
    opened: (id: string): ObjectBackend | undefined => open.get(id),
    housekeeping,
    /** Closes and forgets the datastore's backend (it was deleted). */
    forget(id: string): void {
      open.get(id)?.close();
      open.delete(id);
    },
    closeAll(): void {
      for (const b of open.values()) b.close();
      open.clear();
    },
  };
}
export type BackendRegistry = ReturnType<typeof createBackendRegistry>;
