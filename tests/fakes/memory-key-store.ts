import type { KeyStore } from '@core/ports';
import type { createKeytarKeyStore } from '@core/vault/keytar-key-store';

/**
 * An in-memory KeyStore for tests that are not about the keychain (the vault's own suite uses the real OS
 * keychain). Typed against the real factory's product so it cannot drift from the port.
 */
export function createMemoryKeyStore(): KeyStore {
  const m = new Map<string, string>();
  return {
    kind: 'memory',
    get: async (a) => m.get(a) ?? null,
    set: async (a, v) => void m.set(a, v),
    delete: async (a) => m.delete(a),
  };
}
export const _matchesReal: (s: ReturnType<typeof createKeytarKeyStore>) => KeyStore = (s) => s;
