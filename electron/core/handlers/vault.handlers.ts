import type { Core } from '../index';
import type { Handlers } from './dispatch';

type VaultChannels =
  | 'vault:status'
  | 'vault:initialize'
  | 'vault:unlock'
  | 'vault:lock'
  | 'vault:rotateMasterKey'
  | 'vault:rotateDataKey'
  | 'vault:setAutoLock'
  | 'vault:exportBackup'
  | 'vault:restoreBackup';

/**
 * Vault handlers: parsed input → service. The vault checks `vault.manage` in the Default workspace itself; status is
 * for everyone (the UI needs it to pick setup / unlock screens).
 */
export function vaultHandlers(core: Core): Pick<Handlers, VaultChannels> {
  const { vault, vaultBackup } = core;
  return {
    // Before setup the screen needs to know whether the keychain can be chosen: asked on every status read until the
    // vault exists, so starting a keyring and reloading the screen is enough.
    'vault:status': async () => {
      if (vault.status().state === 'uninitialized') await vault.checkKeychain();
      return vault.status();
    },
    'vault:initialize': (input, { actor }) =>
      input.mode === 'keychain' ? vault.initializeWithKeychain(actor) : vault.initializeWithPassphrase(input.passphrase, actor),
    'vault:unlock': (input, { actor }) => vault.unlock(actor, input?.passphrase),
    'vault:lock': (_input, { actor }) => vault.lock(actor),
    'vault:rotateMasterKey': (input, { actor }) => vault.rotateMasterKey(actor, input?.passphrase),
    'vault:rotateDataKey': (_input, { actor }) => vault.rotateDataKey(actor),
    'vault:setAutoLock': (input, { actor }) => vault.setAutoLock(input.minutes, actor),
    'vault:exportBackup': async (input, { actor }) => {
      // The file travels as base64 in the contract; the service returns bytes.
      const file = await vaultBackup.exportBackup(input.passphrase, actor);
      return { fileName: file.fileName, data: file.data.toString('base64'), bytes: file.data.length, createdAt: file.createdAt };
    },
    'vault:restoreBackup': (input, { actor }) => vaultBackup.restoreBackup(Buffer.from(input.data, 'base64'), input.passphrase, input.protect, actor),
  };
}
