import type { Reference, ReferenceStore, ResourceRef } from './reference-store';

export type { Reference } from './reference-store';

/**
 * Who references what (a connection → the secret holding its credential; later, workflow steps → connections).
 * Deleting a referenced resource must show these and require confirmation (the docs' warning). Writers call
 * `set` inside the transaction that creates or changes the referencing record, `clearFrom` when it goes away, and
 * `clearTo` when the referenced resource is deleted with force.
 *
 * Every method is internal: the index holds no data of its own worth checking (names and ids of resources), and
 * each caller is a service that has already checked its own operation and passes its own transaction.
 */
export function createReferenceIndex(deps: { store: ReferenceStore }) {
  const { store } = deps;
  return {
    set(workspaceId: string, from: ResourceRef & { name?: string | null }, to: ResourceRef): void {
      store.upsert(workspaceId, from, to);
    },
    /** Removes every reference made by `from` (it was deleted, or is about to be re-set). */
    clearFrom(from: ResourceRef): void {
      store.deleteFrom(from);
    },
    /** Removes every reference to `to` (it was deleted with force). */
    clearTo(to: ResourceRef): void {
      store.deleteTo(to);
    },
    referencesTo(to: ResourceRef): Reference[] {
      return store.to(to);
    },
  };
}
export type ReferenceIndex = ReturnType<typeof createReferenceIndex>;
