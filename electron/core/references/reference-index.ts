import type { Actor } from '@shared/domain/actor';
import type { Reference, ReferenceStore, ResourceRef } from './reference-store';

/**
 * What a referrer does when something it references is deleted with force: drop its own pointer to it and say so in
 * its own state (a connection whose credential secret is gone turns `error` with "choose a secret"), so the promise
 * "force delete clears these references" holds in the referrer's record, not only in this index.
 */
export type Detacher = (referrer: Reference, target: ResourceRef, actor: Actor) => void;

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
  const detachers = new Map<string, Detacher>();
  return {
    /** The composition root registers, per referrer type, how it lets go of a deleted target. */
    onTargetRemoved(fromType: string, detach: Detacher): void {
      detachers.set(fromType, detach);
    },
    set(workspaceId: string, from: ResourceRef & { name?: string | null }, to: ResourceRef): void {
      store.upsert(workspaceId, from, to);
    },
    /** Removes every reference made by `from` (it was deleted, or is about to be re-set). */
    clearFrom(from: ResourceRef): void {
      store.deleteFrom(from);
    },
    /**
     * Removes every reference to `to` (it was deleted with force), after each referrer detached itself. Called inside
     * the deleting service's transaction, so the referrers' changes commit or roll back with the delete.
     */
    clearTo(to: ResourceRef, actor: Actor): void {
      for (const ref of store.to(to)) detachers.get(ref.fromType)?.(ref, to, actor);
      store.deleteTo(to);
    },
    referencesTo(to: ResourceRef): Array<Omit<Reference, 'workspaceId'>> {
      return store.to(to).map(({ fromType, fromId, fromName }) => ({ fromType, fromId, fromName }));
    },
  };
}
export type ReferenceIndex = ReturnType<typeof createReferenceIndex>;
