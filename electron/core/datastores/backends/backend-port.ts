import type { Readable } from 'node:stream';

/**
 * What a put stores, said explicitly by the caller. A local file (a file dropped in the desktop app) is named by
 * its path, so the backend reads it the way that suits it (positioned reads into its own buffers, or a file
 * stream for the SDK); any other body is a stream and stays one. `size` is what the caller found when it looked
 * (a hint for sizing buffers): the file is read to its end, whatever that turns out to be.
 */
export type BodySource = { kind: 'file'; path: string; size: number } | { kind: 'stream'; body: Readable };

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
   * The hex SHA-256 of every byte onData has seen so far (the caller hashes there anyway). A backend that showed
   * the whole body to onData in one call may take it as that body's hash instead of hashing the body again; once
   * it is asked, onData must not be called again.
   */
  sha256?: () => string;
};

/**
 * Where a datastore's bytes live. Metadata (key, size, SHA-256, uploader) is the service's, in SQLite; a backend
 * only stores and returns bytes. `put` resolves only once the bytes are complete and durable, and returns the
 * locator the metadata row points at: until that row is written, the new bytes are invisible. A put that fails or
 * is cancelled leaves nothing behind by the time it rejects.
 */
export interface ObjectBackend {
  readonly type: 'filesystem' | 's3';
  put(key: string, source: BodySource, opts: PutOptions): Promise<{ locator: string }>;
  get(locator: string): Promise<Readable>;
  /** Idempotent: removing a missing object is not an error. */
  remove(locator: string): Promise<void>;
  /** Checks the backend is reachable and writable by writing, reading back and removing a probe. */
  test(): Promise<void>;
  /** S3 only: a real pre-signed PUT. */
  presignPut?(key: string, contentType: string, expiresInSeconds: number): Promise<{ url: string; headers: Record<string, string> }>;
  /** S3 only: size of an object written behind the app's back (pre-signed PUT), or null. */
  head?(key: string): Promise<{ size: number; contentType: string | null } | null>;
  locatorFor?(key: string): string;
  close(): void;
}

/**
 * What the service may ask of a datastore's storage without opening it: no secret is needed (the vault may still be
 * locked), and only the backend knows its own layout. Synchronous, so recovery is over before the core is returned
 * and any upload can start.
 */
export interface BackendHousekeeping {
  /**
   * Crash leftovers removed: partial writes, and stored objects `isKnown` rejects (bytes written whose row was
   * never committed, or whose row was switched or deleted before they were removed).
   */
  recover(isKnown: (locator: string) => boolean): { temp: number; orphans: number };
  /** After the datastore's rows are gone and its objects removed: the backend's own layout goes too. */
  dispose(): void;
}
