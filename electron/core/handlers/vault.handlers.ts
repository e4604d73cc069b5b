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
 * The vault is installation-wide: its admin actions are checked as `vault.manage` in the default workspace (the one
 * every administrator administers). Status is for everyone: the UI needs it to pick setup / unlock screens.
 */
export function vaultHandlers(core: Core): Pick<Handlers, VaultChannels> {
  const { access, workspaces, vault, vaultBackup } = core;
  const manage = (actor: Parameters<typeof access.assert>[0]) => access.assert(actor, workspaces.defaultWorkspace().id, 'vault.manage');
  return {
    'vault:status': () => vault.status(),
    'vault:initialize': (input, { actor }) => {
      manage(actor);
      return input.mode === 'keychain' ? vault.initializeWithKeychain(actor) : vault.initializeWithPassphrase(input.passphrase, actor);
    },
    'vault:unlock': (input, { actor }) => {
      manage(actor);
      return vault.unlock(actor, input?.passphrase);
    },
    'vault:lock': (_input, { actor }) => {
      manage(actor);
      return vault.lock(actor);
    },
    'vault:rotateMasterKey': (input, { actor }) => {
      manage(actor);
      return vault.rotateMasterKey(actor, input?.passphrase);
    },
    'vault:rotateDataKey': (_input, { actor }) => {
      manage(actor);
      return vault.rotateDataKey(actor);
    },
    'vault:setAutoLock': (input, { actor }) => {
      manage(actor);
      return vault.setAutoLock(input.minutes, actor);
    },
    'vault:exportBackup': async (input, { actor }) => {
      manage(actor);
      const file = await vaultBackup.exportBackup(input.passphrase, actor);
      return { fileName: file.fileName, data: file.data.toString('base64'), bytes: file.data.length, createdAt: file.createdAt };
    },
    'vault:restoreBackup': (input, { actor }) => {
      manage(actor);
      return vaultBackup.restoreBackup(Buffer.from(input.data, 'base64'), input.passphrase, input.protect, actor);
    },
  };
}
