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
 * A keychain that cannot be used. `message` is for logs and API callers (it names the cause, e.g. the missing D-Bus
 * session bus); `reason` is the same cause in the plain words the setup screen shows beside the disabled option.
 */
export class KeychainUnavailableError extends AppError {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super('KEYCHAIN_UNAVAILABLE', message);
  }
}

/** What the setup screen says when the cause is not known (another KeyStore kind, an unexpected refusal). */
export const KEYCHAIN_REASON_UNKNOWN = 'This computer’s keychain did not answer, so the master key cannot be kept there.';

/**
 * keytar's errors are D-Bus/Secret Service jargon. Map the ones seen on Linux to what the admin should do.
 * The passphrase mode is the way out on machines with no keychain; a plaintext key on disk never is.
 */
export function describeKeychainError(e: unknown): KeychainUnavailableError {
  const msg = e instanceof Error ? e.message : String(e);
  const tail = ' Use a vault passphrase instead, or start a keyring (e.g. gnome-keyring) in this session.';
  if (/autolaunch D-Bus|DBUS_SESSION_BUS_ADDRESS|X11 \$DISPLAY|Could not connect|Connection refused/i.test(msg)) {
    return new KeychainUnavailableError(
      `The OS keychain is not reachable: there is no D-Bus session bus (common on headless Linux).${tail}`,
      'No keychain is running for this session (usual on a server or a Linux machine without a desktop).',
    );
  }
  if (/org\.freedesktop\.secrets was not provided|not provided by any \.service files/i.test(msg)) {
    return new KeychainUnavailableError(
      `The OS keychain is not reachable: no Secret Service (gnome-keyring or KWallet) is installed.${tail}`,
      'No keychain (such as GNOME Keyring or KWallet) is installed on this computer.',
    );
  }
  if (/locked collection|collection\/login|Object does not exist at path/i.test(msg)) {
    return new KeychainUnavailableError(
      `The OS keychain is locked and cannot ask for its password here; unlock your login keyring first.${tail}`,
      'Your login keychain is locked. Unlock it, then reload this screen.',
    );
  }
  if (/Cannot find module|keytar\.node|NODE_MODULE_VERSION/i.test(msg)) {
    return new KeychainUnavailableError(`The keychain module could not load (run npm rebuild keytar).${tail}`, 'This copy of the app cannot talk to the keychain (its keychain module did not load).');
  }
  return new KeychainUnavailableError(`The OS keychain refused the request.${tail}`, 'The keychain refused the request.');
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
