import { useEffect, useState } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useSecrets } from '../../app-context';
import { ErrorBanner } from '../../components/ui';

/** Reveal (admins; audited as secret.accessed, high risk) or Hide, for the open secret. */
export function RevealControl({ id, onError, disabled }: Readonly<{ id: string; onError: (e: IpcError | null) => void; disabled?: boolean }>) {
  const { secrets } = useApp();
  const shown = useSecrets((s) => s.revealed?.id === id);
  const [busy, setBusy] = useState(false);
  return shown ? (
    <button className="secondary" data-testid="secret-hide" onClick={() => secrets.getState().hide()}>
      Hide value
    </button>
  ) : (
    <button
      className="secondary"
      data-testid="secret-reveal"
      disabled={busy || disabled}
      title="Shows the value for 30 seconds; recorded in the audit log as secret.accessed (high risk)"
      onClick={async () => {
        setBusy(true);
        onError(await secrets.getState().reveal(id));
        setBusy(false);
      }}
    >
      Reveal (audited)
    </button>
  );
}

/** The revealed value with its countdown (the store hides it when the time is up) and Copy. */
export function RevealedValue({ id }: Readonly<{ id: string }>) {
  const { secrets } = useApp();
  const revealed = useSecrets((s) => (s.revealed?.id === id ? s.revealed : undefined));
  const copied = useSecrets((s) => s.copied);
  const [left, setLeft] = useState(0);
  const [error, setError] = useState<IpcError | null>(null);
  useEffect(() => {
    if (!revealed) return;
    const tick = () => setLeft(Math.max(0, Math.ceil((revealed.hidesAt - Date.now()) / 1000)));
    tick();
    const h = setInterval(tick, 500);
    return () => clearInterval(h);
  }, [revealed]);
  if (!revealed) return null;
  return (
    <div className="revealed" data-testid="secret-revealed">
      <pre className="mono" data-testid="secret-revealed-value">
        {revealed.text}
      </pre>
      <div className="form-row">
        <span className="muted" data-testid="secret-reveal-countdown">
          Hides in {left} s · version {revealed.version} · this reveal is in the audit log
        </span>
        <button className="secondary" data-testid="secret-copy" onClick={async () => setError(await secrets.getState().copy())}>
          {copied ? 'Copy again' : 'Copy'}
        </button>
      </div>
      <ErrorBanner error={error} />
    </div>
  );
}
