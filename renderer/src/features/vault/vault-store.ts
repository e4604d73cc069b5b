import { createStore } from 'zustand/vanilla';
import type { Api } from '@shared/ipc/api';
import type { Input } from '@shared/ipc/contract';
import type { IpcError, IpcResult } from '@shared/ipc/result';
import type { VaultStatusDto } from '@shared/domain/vault';

export type VaultBackupFile = { fileName: string; data: string; bytes: number };

export type VaultStoreState = {
  status?: VaultStatusDto;
  loadError?: IpcError;
  /** One long action at a time (scrypt takes a moment): the UI shows it and disables the buttons. */
  busy: string | null;
  /** "Browse without unlocking" was chosen: the unlock screen stays away until `showUnlock` or the next lock. */
  browseLocked: boolean;
  browseWithoutUnlocking(): void;
  /**
   * Set by a successful passphrase setup: RecoveryOffer shows above every screen, offering the recovery sheet and a
   * backup (the passphrase cannot be recovered), until `dismissRecoveryOffer`.
   */
  recoveryOffer: boolean;
  dismissRecoveryOffer(): void;
  /** Brings the unlock screen back (sidebar Unlock, Settings → Vault, inline Unlock next to a disabled value action). */
  showUnlock(): void;
  /** `first`: an answer already on its way (the first load's app:bootstrap, see api/first-load.ts) instead of asking. */
  load(first?: Promise<IpcResult<VaultStatusDto>>): Promise<void>;
  initialize(input: Input<'vault:initialize'>): Promise<IpcError | null>;
  unlock(passphrase?: string): Promise<IpcError | null>;
  lock(): Promise<IpcError | null>;
  rotateMasterKey(passphrase?: string): Promise<IpcError | null>;
  rotateDataKey(): Promise<IpcError | null>;
  setAutoLock(minutes: number): Promise<IpcError | null>;
  exportBackup(passphrase: string): Promise<VaultBackupFile | IpcError>;
  restoreBackup(input: Input<'vault:restoreBackup'>): Promise<IpcError | null>;
  /** Reloads the status when the vault changes (auto-lock, another window, the REST API). */
  listen(): () => void;
};

/** Vault status and admin actions. Every action returns its error (or null) for the form that asked. */
export const createVaultStore = (api: Api) =>
  createStore<VaultStoreState>()((set, get) => {
    async function run<R>(label: string, call: () => Promise<{ ok: true; value: R } | { ok: false; error: IpcError }>, apply?: (v: R) => void): Promise<IpcError | null> {
      set({ busy: label });
      try {
        const r = await call();
        if (!r.ok) return r.error;
        apply?.(r.value);
        return null;
      } finally {
        set({ busy: null });
      }
    }
    // Every new lock shows the unlock screen again: browsing locked ends as soon as the vault is not locked.
    const setStatus = (status: VaultStatusDto) => set({ status, loadError: undefined, ...(status.state === 'locked' ? {} : { browseLocked: false }) });
    return {
      busy: null,
      browseLocked: false,
      recoveryOffer: false,
      dismissRecoveryOffer: () => set({ recoveryOffer: false }),
      browseWithoutUnlocking: () => set({ browseLocked: true }),
      showUnlock: () => set({ browseLocked: false }),
      async load(first) {
        const r = await (first ?? api.invoke('vault:status', undefined));
        if (r.ok) setStatus(r.value);
        else set({ loadError: r.error });
      },
      initialize: (input) =>
        run('Setting up the vault…', () => api.invoke('vault:initialize', input), (st) => {
          setStatus(st);
          if (input.mode === 'passphrase') set({ recoveryOffer: true });
        }),
      unlock: (passphrase) => run('Unlocking…', () => api.invoke('vault:unlock', passphrase === undefined ? {} : { passphrase }), setStatus),
      lock: () => run('Locking…', () => api.invoke('vault:lock', undefined), setStatus),
      rotateMasterKey: (passphrase) =>
        run('Rotating the master key…', () => api.invoke('vault:rotateMasterKey', passphrase === undefined ? {} : { passphrase }), setStatus),
      rotateDataKey: () => run('Creating a new data key…', () => api.invoke('vault:rotateDataKey', undefined), setStatus),
      setAutoLock: (minutes) => run('Saving…', () => api.invoke('vault:setAutoLock', { minutes }), setStatus),
      async exportBackup(passphrase) {
        let file: VaultBackupFile | null = null;
        const err = await run('Encrypting the backup…', () => api.invoke('vault:exportBackup', { passphrase }), (v) => (file = v));
        return err ?? file!;
      },
      restoreBackup: (input) => run('Restoring the backup…', () => api.invoke('vault:restoreBackup', input), setStatus),
      listen: () => api.on('vault:changed', () => void get().load()),
    };
  });
export type VaultStore = ReturnType<typeof createVaultStore>;
