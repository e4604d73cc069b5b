import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Actor } from '@shared/domain/actor';
import { AppError, invalid, storageFull } from '../errors';
import { boundedFs } from './backends/bounded-fs';
import type { DatastoreObjectService } from './datastore-object-service';

/** The desktop's save dialog: an absolute path the admin chose, or null if they cancelled. Absent headless. */
export type SavePathChooser = (o: { defaultName: string }) => Promise<string | null>;

/**
 * "Save as…" in the desktop app: the admin picks a file with the OS dialog and the core streams the object there
 * (decrypted), through a temp file beside it that is renamed into place, so a failed or cancelled save never
 * leaves a half-written file under the chosen name. The console downloads through the browser instead. Access is
 * checked (datastore.object_read) before the dialog opens.
 */
export function createSaveAsService(deps: { objects: Pick<DatastoreObjectService, 'head' | 'read'>; chooseSavePath?: SavePathChooser }) {
  async function saveAs(actor: Actor, workspaceId: string, datastoreId: string, key: string) {
    const object = await deps.objects.head(actor, workspaceId, datastoreId, key);
    if (!deps.chooseSavePath) {
      throw new AppError('PRECONDITION_FAILED', 'Save as is part of the desktop app; in the console use Download, which saves through the browser');
    }
    const target = await deps.chooseSavePath({ defaultName: key.split('/').pop() || 'object' });
    if (target === null) return { saved: false, path: null, size: object.size };
    if (!path.isAbsolute(target)) throw invalid('the save path must be absolute', 'path');
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.part`);
    const { stream } = await deps.objects.read(actor, workspaceId, datastoreId, key);
    try {
      await pipeline(stream, fs.createWriteStream(tmp, { flags: 'wx', flush: true }));
      await boundedFs.rename(tmp, target);
    } catch (e) {
      // The folder itself may be unusable (not a folder, gone): then there is no temp file in it to remove.
      await boundedFs.remove(tmp).catch(() => undefined);
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' || code === 'ENOENT' || code === 'EISDIR') throw new AppError('FORBIDDEN', `cannot write to ${path.dirname(target)}; choose a folder you can write to`);
      if (code === 'ENOSPC' || code === 'EDQUOT') throw storageFull(`the disk holding ${path.dirname(target)} is full; free some space or choose another place`);
      throw e;
    }
    return { saved: true, path: target, size: object.size };
  }

  return { saveAs };
}
export type SaveAsService = ReturnType<typeof createSaveAsService>;
