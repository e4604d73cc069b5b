import type { Readable } from 'node:stream';
import type { Channel, Input, Output } from '@shared/ipc/contract';

/** A channel's input without the workspace: the client adds the one it works in. */
export type CallInput<C extends Channel> = Omit<Input<C>, 'workspaceId'>;

/** What `cp` reports while bytes move (bytes since the last call). */
export type TransferProgress = (deltaBytes: number) => void;

export type UploadOptions = {
  contentType?: string;
  onProgress: TransferProgress;
  signal: AbortSignal;
  /** Note printed once when an interrupted upload is taken up again (S3, either mode). */
  onResume?: (message: string) => void;
};

/**
 * How every command reaches the core, whichever way: over the running app's REST API (rest-client.ts) or in-process
 * on a data dir (local-client.ts). Commands are written once against channels of the shared contract, so both modes
 * pass the same validation, access checks and audit.
 */
export interface Client {
  readonly mode: 'rest' | 'local';
  call<C extends Channel>(channel: C, input: CallInput<C>): Promise<Output<C>>;
  /** Streams a local file into a datastore object. */
  upload(datastoreId: string, key: string, file: { path: string; size: number; mtimeMs: number }, o: UploadOptions): Promise<void>;
  /** An object's bytes. */
  download(datastoreId: string, key: string): Promise<{ size: number; stream: Readable }>;
  close(): Promise<void>;
}
