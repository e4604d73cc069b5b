import type { Api } from '@shared/ipc/api';
import type { DatastoreObject } from '@shared/domain/datastore';
import type { IpcError, IpcResult } from '@shared/ipc/result';

export type UploadTarget = { workspaceId: string; datastoreId: string; key: string; uploadId: string };
export type UploadOutcome = { ok: true; object: DatastoreObject } | { ok: false; cancelled: boolean; error: IpcError };
export type RunningUpload = { done: Promise<UploadOutcome>; cancel(): void };

/**
 * Streams one file into a datastore, reporting bytes sent. Two transports, one shape: the headless console
 * PUTs the File over HTTP (the browser streams it from disk), the Electron shell hands the core the file's
 * path and the core reads it (progress comes back as push events).
 */
export type Uploader = {
  upload(file: File, target: UploadTarget, onProgress: (bytes: number) => void): RunningUpload;
  /**
   * The console: a one-use URL that downloads an object as an attachment, asked for at each download (it carries a
   * ticket for that object, valid for a minute). Absent where the shell saves through the OS dialog (Electron).
   */
  downloadUrl?(workspaceId: string, datastoreId: string, key: string): Promise<IpcResult<string>>;
};

const cancelledError: IpcError = { code: 'CONFLICT', message: 'the upload was cancelled; nothing was stored' };

/**
 * Uploads and downloads act as the user signed in to the console, if any (the bridge keeps the token here). Uploads
 * send the console token and the user's JWT in headers (XHR can); a download link carries only a ticket from
 * `ticket` (the bridge's, minted over those headers), never a token.
 */
export function createHttpUploader(
  baseUrl: string,
  token: string,
  userToken: () => string | null,
  ticket: NonNullable<Api['ticket']>,
): Uploader {
  return {
    upload(file, t, onProgress) {
      const xhr = new XMLHttpRequest();
      const done = new Promise<UploadOutcome>((resolve) => {
        const q = new URLSearchParams({ workspaceId: t.workspaceId, key: t.key, uploadId: t.uploadId });
        xhr.open('PUT', `${baseUrl}/console/datastores/${encodeURIComponent(t.datastoreId)}/objects?${q.toString()}`);
        xhr.setRequestHeader('x-console-token', token);
        const user = userToken();
        if (user) xhr.setRequestHeader('x-user-token', user);
        xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
        xhr.upload.onprogress = (e) => onProgress(e.loaded);
        xhr.onload = () => {
          let body: unknown = null;
          try {
            body = JSON.parse(xhr.responseText);
          } catch {
            // fall through to the generic error
          }
          if (xhr.status === 200) return resolve({ ok: true, object: body as DatastoreObject });
          const error = (body as { error?: IpcError } | null)?.error ?? { code: 'INTERNAL', message: `upload failed with HTTP ${xhr.status}` };
          resolve({ ok: false, cancelled: false, error });
        };
        xhr.onerror = () => resolve({ ok: false, cancelled: false, error: { code: 'UNAVAILABLE', message: 'the console server is not reachable; is npm run serve still running?' } });
        xhr.onabort = () => resolve({ ok: false, cancelled: true, error: cancelledError });
        xhr.send(file);
      });
      return { done, cancel: () => xhr.abort() };
    },
    async downloadUrl(workspaceId, datastoreId, key) {
      const t = await ticket({ purpose: 'download', workspaceId, datastoreId, key });
      if (!t.ok) return t;
      const q = new URLSearchParams({ workspaceId, key, download: '1', ticket: t.value.ticket });
      return { ok: true, value: `${baseUrl}/console/datastores/${encodeURIComponent(datastoreId)}/object?${q.toString()}` };
    },
  };
}

/** Electron: the main process streams from the dropped file's own path (preload's webUtils.getPathForFile). */
export function createPathUploader(api: Api, pathFor: (file: File) => string): Uploader {
  return {
    upload(file, t, onProgress) {
      const off = api.on('datastores:uploadProgress', (p) => {
        if (p.uploadId === t.uploadId) onProgress(p.bytes);
      });
      const done = api
        .invoke('datastores:uploadFromPath', { ...t, path: pathFor(file), contentType: file.type || undefined })
        .then((r): UploadOutcome => (r.ok ? { ok: true, object: r.value } : { ok: false, cancelled: r.error.message.includes('cancelled'), error: r.error }))
        .finally(off);
      return { done, cancel: () => void api.invoke('datastores:cancelUpload', { uploadId: t.uploadId }) };
    },
  };
}
