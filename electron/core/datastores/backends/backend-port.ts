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
  /**
   * S3 multipart only: keep an interrupted upload so a later put of the same body takes it up again (the CLI's
   * `cp` in data-dir mode). Without it a failed or cancelled put removes its parts, as before.
   */
  resume?: MultipartResume;
};

/**
 * What is kept about an interrupted multipart upload: the upload, and the parts S3 acknowledged (each saved as it
 * completes). Which parts S3 holds is asked of S3 itself (ListParts) where it answers; the parts here are the fallback
 * for S3-compatible servers without ListParts.
 */
export type MultipartResumeState = { uploadId: string; s3Key: string; partSize: number; parts?: Array<{ n: number; etag: string; size: number }> };

/**
 * Where a resumable put keeps its state (a small file of the caller's; it holds no object bytes and no credential).
 * A part is reused only when S3 lists it with the size and MD5 (ETag) of the bytes read again from the body, so a
 * changed file is uploaded afresh, part by part.
 */
export type MultipartResume = {
  load(): MultipartResumeState | null;
  save(state: MultipartResumeState): void;
  /** The upload completed, or cannot be taken up again. */
  clear(): void;
  /** Told once how many parts an upload taken up again found done. */
  onResumed?(partsDone: number): void;
  /**
   * Where the body starts in the object (the REST resume, where the client sends only the rest): a part boundary,
   * `startsAt / partSize` parts that the record holds, each a full part. The body then holds only what follows, is
   * never sent as a single PUT, and the parts before it are taken as recorded (S3 still checks them when it
   * completes the upload). Absent or 0: the body is the whole object, as in data-dir mode.
   */
  startsAt?: number;
};

/** A put at `startsAt` whose recorded parts S3 no longer has (completed, aborted or expired meanwhile). */
export const RESUME_UNAVAILABLE = 'ResumeUnavailable';

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
  /** S3 only: the multipart part size (bodies at least this large go as a multipart upload). */
  readonly partSize?: number;
  /** S3 only: discards an interrupted multipart upload's parts (an expired resume record). Idempotent. */
  abortMultipart?(s3Key: string, uploadId: string): Promise<void>;
  close(): void;
}

/** Whether a datastore's storage is its own; `reason` says what was found when it is not. */
export type Ownership = { ours: true } | { ours: false; missing: boolean; reason: string };
/** What housekeeping did not do, and why (the storage does not carry this datastore's mark). */
export type Refusal = { refused: string };

/**
 * What the service asks of a datastore's storage besides objects: whether it is the datastore's own, marking it as
 * such, crash recovery, and removal. Only the backend knows its own layout. All asynchronous and bounded (they run
 * on requests' paths and at vault unlock); the service runs `recover` once per datastore and process, before any
 * backend of that datastore is handed out, so no upload is in flight while it sweeps.
 *
 * What must stay true: `recover` and `dispose` verify ownership themselves first and touch nothing otherwise.
 */
export interface BackendHousekeeping {
  verify(): Promise<Ownership>;
  /** Marks the storage as this datastore's: exclusively (a new datastore), or replacing any mark (re-attach). */
  mark(o: { replace: boolean }): Promise<void>;
  /**
   * Crash leftovers removed: partial writes, and stored objects `isKnown` rejects (bytes written whose row was
   * never committed, or whose row was switched or deleted before they were removed).
   */
  recover(isKnown: (locator: string) => boolean): Promise<{ temp: number; orphans: number } | Refusal>;
  /** After the datastore's rows are gone and its objects removed: the backend's own layout (and mark) goes too. */
  dispose(): Promise<Refusal | null>;
}
