import { createRequire } from 'node:module';
import { CliError } from './cli-error';

/** The keychain entry of `provenanceone login`: its own service name, apart from the vault's master key. */
export const CLI_KEYCHAIN_SERVICE = 'ProvenanceOne CLI';

type Keytar = {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
};

/** keytar is loaded only when the key is not in PROVENANCE_API_KEY (a native module: not every call pays for it). */
function keytar(): Keytar {
  try {
    return createRequire(import.meta.url)('keytar') as Keytar;
  } catch {
    throw new CliError('KEYCHAIN_UNAVAILABLE', 'the keychain module could not load (npm rebuild keytar); set PROVENANCE_API_KEY instead');
  }
}

const unavailable = () =>
  new CliError('KEYCHAIN_UNAVAILABLE', 'the OS keychain is not reachable (is a keyring such as gnome-keyring running?); set PROVENANCE_API_KEY instead');

/**
 * The API key of the CLI, one per app (the account is the app's data directory, so two apps on one workstation keep
 * their own keys). Only ever in the OS keychain, never in a file.
 */
export const apiKeyStore = {
  async get(account: string): Promise<string | null> {
    try {
      return await keytar().getPassword(CLI_KEYCHAIN_SERVICE, account);
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw unavailable();
    }
  },
  async set(account: string, key: string): Promise<void> {
    try {
      await keytar().setPassword(CLI_KEYCHAIN_SERVICE, account, key);
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw unavailable();
    }
  },
  async delete(account: string): Promise<boolean> {
    try {
      return await keytar().deletePassword(CLI_KEYCHAIN_SERVICE, account);
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw unavailable();
    }
  },
};
