import type { Core } from '../index';
import type { Handlers } from './dispatch';

type DatastoreChannels = Extract<keyof Handlers, `datastores:${string}`>;

/**
 * Datastore handlers: parse and call. Access checks live in the datastore services, which every transport (IPC, REST,
 * raw HTTP) shares; tests/integration/datastores/datastore-access-gate.test.ts checks every one of their methods.
 */
export function datastoreHandlers(core: Core): Pick<Handlers, DatastoreChannels> {
  const ds = core.datastores;
  return {
    'datastores:list': (input, { actor }) => ds.list(actor, input),
    'datastores:get': (input, { actor }) => ds.get(actor, input.workspaceId, input.datastoreId),
    'datastores:create': (input, { actor }) => ds.create(actor, input),
    'datastores:delete': (input, { actor }) => ds.remove(actor, input.workspaceId, input.datastoreId, input.force ?? false),
    'datastores:reattach': (input, { actor }) => ds.reattach(actor, input.workspaceId, input.datastoreId),
    'datastores:test': (input, { actor }) => ds.test(actor, input.workspaceId, input.datastoreId),
    'datastores:usage': (input, { actor }) => ds.usage(actor, input.workspaceId),
    'datastores:objects:list': (input, { actor }) => ds.listObjects(actor, input),
    'datastores:objects:head': (input, { actor }) => ds.head(actor, input.workspaceId, input.datastoreId, input.key),
    'datastores:objects:preview': (input, { actor }) => ds.preview(actor, input.workspaceId, input.datastoreId, input.key),
    'datastores:objects:saveAs': (input, { actor }) => ds.saveAs(actor, input.workspaceId, input.datastoreId, input.key),
    'datastores:objects:delete': (input, { actor }) => ds.deleteObject(actor, input.workspaceId, input.datastoreId, input.key),
    'datastores:objects:putText': (input, { actor }) => ds.putText(actor, input),
    'datastores:uploadUrl': (input, { actor }) => ds.createUploadUrl(actor, input),
    'datastores:uploadFromPath': (input, { actor }) => ds.uploadFromPath(actor, input),
    'datastores:cancelUpload': (input, { actor }) => ds.cancelUpload(actor, input.uploadId),
    'datastores:storageStep': (input, { actor }) => ds.runStorageStep(actor, input),
  };
}
