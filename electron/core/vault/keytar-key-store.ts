import { createRequire } from 'node:module';
import { AppError } from '../errors';
import type { KeyStore } from '../ports';

export const KEYCHAIN_SERVICE = 'ProvenanceOne';

type Keytar = {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
};

/**
 * keytar's errors are D-Bus/Secret Service jargon. Map the ones seen on Linux to what the admin should do.
 * The passphrase mode is the way out on machines with no keychain; a plaintext key on disk never is.
 */
export function describeKeychainError(e: unknown): AppError {
  const msg = e instanceof Error ? e.message : String(e);
  const tail = ' Use a vault passphrase instead, or start a keyring (e.g. gnome-keyring) in this session.';
  if (/autolaunch D-Bus|DBUS_SESSION_BUS_ADDRESS|X11 \$DISPLAY|Could not connect|Connection refused/i.test(msg)) {
    return new AppError('KEYCHAIN_UNAVAILABLE', `The OS keychain is not reachable: there is no D-Bus session bus (common on headless Linux).${tail}`);
  }
  if (/org\.freedesktop\.secrets was not provided|not provided by any \.service files/i.test(msg)) {
    return new AppError('KEYCHAIN_UNAVAILABLE', `The OS keychain is not reachable: no Secret Service (gnome-keyring or KWallet) is installed.${tail}`);
  }
  if (/locked collection|collection\/login|Object does not exist at path/i.test(msg)) {
    return new AppError('KEYCHAIN_UNAVAILABLE', `The OS keychain is locked and cannot ask for its password here; unlock your login keyring first.${tail}`);
  }
  if (/Cannot find module|keytar\.node|NODE_MODULE_VERSION/i.test(msg)) {
    return new AppError('KEYCHAIN_UNAVAILABLE', `The keychain module could not load (run npm rebuild keytar).${tail}`);
  }
  return new AppError('KEYCHAIN_UNAVAILABLE', `The OS keychain refused the request.${tail}`);
}

/** The OS keychain through keytar (macOS Keychain, Windows Credential Manager, Secret Service on Linux). */
export function createKeytarKeyStore(service = KEYCHAIN_SERVICE): KeyStore {
  let keytar: Keytar | null = null;
  const load = (): Keytar => {
    if (keytar) return keytar;
    try {
      const require = createRequire(import.meta.url);
      keytar = require('keytar') as Keytar;
      return keytar;
    } catch (e) {
      throw describeKeychainError(e);
    }
  };
  const call = async <T>(fn: (k: Keytar) => Promise<T>): Promise<T> => {
    try {
      return await fn(load());
    } catch (e) {
      throw e instanceof AppError ? e : describeKeychainError(e);
    }
  };
  return {
    kind: 'keychain',
    get: (account) => call((k) => k.getPassword(service, account)),
    set: (account, value) => call((k) => k.setPassword(service, account, value)),
    delete: (account) => call((k) => k.deletePassword(service, account)),
  };
}
