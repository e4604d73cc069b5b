import type { Readable } from 'node:stream';

export type PutOptions = {
  contentType: string;
  /** Aborting it stops the write and removes everything written so far (temp file, multipart parts). */
  signal?: AbortSignal;
  /**
   * Sees every byte of the body once, in order, before it is stored (the service counts and hashes here). The
   * chunk is only valid during the call: backends reuse their buffers. Throwing fails the put with that error.
   */
  onData?: (chunk: Buffer) => void;
  /**
   * Hex SHA-256 of every byte onData has seen, for a backend that needs the hash of a whole body it has passed
   * to onData (S3 signs a single PUT's payload with it, rather than hashing the same bytes a second time).
   * Only meaningful once onData has seen the whole body.
   */
  sha256?: () => string;
};

/**
 * Where a datastore's bytes live. Metadata (key, size, SHA-256, uploader) is the service's, in SQLite; a backend
 * only stores and returns bytes. `put` resolves only once the bytes are complete and durable, and returns the
 * locator the metadata row points at: until that row is written, the new bytes are invisible.
 */
export interface ObjectBackend {
  readonly type: 'filesystem' | 's3';
  put(key: string, body: Readable, opts: PutOptions): Promise<{ locator: string }>;
  get(locator: string): Promise<Readable>;
  /** Idempotent: removing a missing object is not an error. */
  remove(locator: string): Promise<void>;
  /** Checks the backend is reachable and writable by writing, reading back and removing a probe. */
  test(): Promise<void>;
  /** Locators present in the backend that `isKnown` rejects are removed (crash leftovers). */
  sweepOrphans?(isKnown: (locator: string) => boolean): Promise<number>;
  /** S3 only: a real pre-signed PUT. */
  presignPut?(key: string, contentType: string, expiresInSeconds: number): Promise<{ url: string; headers: Record<string, string> }>;
  /** S3 only: size of an object written behind the app's back (pre-signed PUT), or null. */
  head?(key: string): Promise<{ size: number; contentType: string | null } | null>;
  locatorFor?(key: string): string;
  close(): void;
}
