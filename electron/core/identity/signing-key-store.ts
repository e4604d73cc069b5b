import type { Db } from '../db/database';
import { createTransactor } from '../db/transactor';

/** All SQL of the JWT signing key: stored only sealed by the vault (AAD 'identity:jwt-signing-key'). */
export function createSigningKeyStore(db: Db) {
  const first = db.prepare('SELECT sealed FROM signing_keys ORDER BY created_at LIMIT 1');
  const insert = db.prepare('INSERT INTO signing_keys (id, sealed, created_at) VALUES (?, ?, ?)');
  return {
    immediate: createTransactor(db).immediate,
    /** The oldest sealed key, the one every process signs with. */
    firstSealed: (): Buffer | undefined => (first.get() as { sealed: Buffer } | undefined)?.sealed,
    insert: (id: string, sealed: Buffer, createdAt: string): void => void insert.run(id, sealed, createdAt),
  };
}
export type SigningKeyStore = ReturnType<typeof createSigningKeyStore>;
