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
};

/** Vault status and admin actions. Every action returns its error (or null) for the form that asked. */
export const createVaultStore = (api: Api) =>
  createStore<VaultStoreState>()((set) => {
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
    const setStatus = (status: VaultStatusDto) => set({ status, loadError: undefined });
    return {
      busy: null,
      async load(first) {
        const r = await (first ?? api.invoke('vault:status', undefined));
        set(r.ok ? { status: r.value, loadError: undefined } : { loadError: r.error });
      },
      initialize: (input) => run('Setting up the vault…', () => api.invoke('vault:initialize', input), setStatus),
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
    };
  });
export type VaultStore = ReturnType<typeof createVaultStore>;

/** base64 of a File's bytes, in chunks (String.fromCharCode has an argument limit). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Saves a backup through the browser's download (the console) or Electron's save dialog for downloads. */
export function downloadBase64(fileName: string, data: string): void {
  const bin = atob(data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
