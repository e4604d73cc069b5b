import { useState } from 'react';
import { useApp, useSession, useVault } from '../../app-context';
import { downloadText } from '../../components/download-file';
import { recoverySheetFileName, recoverySheetHtml } from './recovery-sheet';
import './vault.css';

/**
 * Shown above every screen after a passphrase setup, until dismissed: the passphrase cannot be recovered, so offer
 * what gets the admin back in — a recovery sheet to print or keep (1Password's Emergency Kit) and an encrypted backup
 * (Settings → Vault). Not a modal: the app is usable at once, and the offer stays until the admin closes it.
 */
export function RecoveryOffer() {
  const { vault, navigation } = useApp();
  const offer = useVault((s) => s.recoveryOffer);
  const { saved, saveSheet } = useRecoverySheet();
  if (!offer) return null;

  return (
    <section className="card recovery-offer" aria-labelledby="recovery-offer-title" data-testid="vault-recovery-offer">
      <h2 id="recovery-offer-title">The vault is ready. Keep a way back in.</h2>
      <p>
        Nobody can recover the vault passphrase, not even ProvenanceOne. Save a <strong>recovery sheet</strong> (a page to
        print or keep: what the vault is, where its data lives, when it was set up, and an empty box where you write the
        passphrase; the app does not fill it in) and make a <strong>backup</strong>, opened with a backup passphrase of its own.
      </p>
      <div className="actions">
        <button type="button" onClick={saveSheet} data-testid="vault-recovery-sheet">
          Save recovery sheet
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="vault-recovery-backup"
          onClick={() => {
            navigation.getState().go('settings', 'vault');
          }}
        >
          Make a backup…
        </button>
        <button type="button" className="secondary" onClick={() => vault.getState().dismissRecoveryOffer()} data-testid="vault-recovery-dismiss">
          {saved ? 'Done' : 'Not now'}
        </button>
      </div>
      {saved && (
        <p className="muted" role="status" data-testid="vault-recovery-sheet-saved">
          Saved as {saved}. Open it, print it or write the passphrase on it, and keep it away from this computer.
        </p>
      )}
    </section>
  );
}

/** Saves the recovery sheet for this vault (here and in Settings → Vault); `saved` is the file name once saved. */
export function useRecoverySheet(): { saved: string | null; saveSheet: () => void } {
  const createdAt = useVault((s) => s.status?.createdAt ?? null);
  const info = useSession((s) => s.session);
  const [saved, setSaved] = useState<string | null>(null);
  const saveSheet = () => {
    const now = new Date();
    const name = recoverySheetFileName(now);
    downloadText(name, recoverySheetHtml({ dataDir: info?.dataDir ?? null, createdAt, version: info?.version ?? null, now }), 'text/html;charset=utf-8');
    setSaved(name);
  };
  return { saved, saveSheet };
}
