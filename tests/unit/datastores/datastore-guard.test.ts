import { describe, expect, it } from 'vitest';
import { createDatastoreGuard } from '@core/datastores/datastore-guard';
import type { StoredDatastore } from '@core/datastores/datastore-store';
import { forbidden } from '@core/errors';
import type { Actor } from '@shared/domain/actor';

/** The guard every datastore method starts with, against fakes: the order of its checks and what each refusal says. */
const actor: Actor = { kind: 'user', id: 'u-1', name: 'vera', origin: 'ipc' };
const ds = { id: 'ds-1', workspaceId: 'ws-1', name: 'reports' } as StoredDatastore;

function guard(allow: boolean) {
  const calls: string[] = [];
  const g = createDatastoreGuard({
    access: {
      assert: (a, ws, op) => {
        calls.push(`assert ${a.id} ${ws} ${op}`);
        if (!allow) throw forbidden('no');
      },
    },
    store: {
      findDatastore: (id) => {
        calls.push(`find ${id}`);
        return id === ds.id ? ds : undefined;
      },
    },
  });
  return { g, calls };
}

describe('datastore guard', () => {
  it('checks the operation in the named workspace before it reads anything', () => {
    const { g, calls } = guard(false);
    expect(() => g.load(actor, 'ws-1', 'ds-1', 'datastore.delete')).toThrow('no');
    expect(calls).toEqual(['assert u-1 ws-1 datastore.delete']);
  });

  it('returns the datastore of that workspace', () => {
    const { g, calls } = guard(true);
    expect(g.load(actor, 'ws-1', 'ds-1', 'datastore.object_read')).toBe(ds);
    expect(calls).toEqual(['assert u-1 ws-1 datastore.object_read', 'find ds-1']);
  });

  it('a missing datastore is NOT_FOUND; one of another workspace is FORBIDDEN, saying so', () => {
    const { g } = guard(true);
    expect(() => g.load(actor, 'ws-1', 'ds-x', 'datastore.object_read')).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: 'datastore not found' }));
    expect(() => g.load(actor, 'ws-2', 'ds-1', 'datastore.object_read')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', message: 'this datastore belongs to another workspace; check the datastore id and x-workspace-id' }),
    );
  });
});
