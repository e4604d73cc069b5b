import type { Actor } from '@shared/domain/actor';
import { invalid } from '../errors';
import { readPrefix, type DatastoreObjectService } from './datastore-object-service';

/** The most a get step passes on: the next step receives the whole object as text in context.fileContent. */
export const STEP_MAX_BYTES = 10 * 1024 * 1024;

export type StorageStep = { action: 'get' | 'put'; workspaceId: string; datastoreId: string; key: string; content?: string; contentType?: string };

/**
 * The workflow storage step: `put` stores the step's text content as an object, `get` hands an object's content to
 * the next step. The workflow runner calls it with the run's actor; access is checked by the object service, as for
 * every other caller.
 */
export function createStorageStepService(deps: { objects: Pick<DatastoreObjectService, 'putText' | 'read'> }) {
  async function runStorageStep(actor: Actor, step: StorageStep) {
    if (step.action === 'put') {
      if (step.content === undefined) throw invalid('content is required for a put step', 'content');
      const o = await deps.objects.putText(actor, { ...step, content: step.content });
      return { contentType: o.contentType, size: o.size, sha256: o.sha256 };
    }
    const { object, stream } = await deps.objects.read(actor, step.workspaceId, step.datastoreId, step.key);
    if (object.size > STEP_MAX_BYTES) {
      stream.destroy();
      throw invalid(`object is larger than ${STEP_MAX_BYTES} bytes, too large to pass to the next step as context.fileContent`, 'key');
    }
    const data = await readPrefix(stream, STEP_MAX_BYTES);
    return { fileContent: data.toString('utf8'), contentType: object.contentType, size: object.size, sha256: object.sha256 };
  }

  return { runStorageStep };
}
export type StorageStepService = ReturnType<typeof createStorageStepService>;
