import { useEffect, useState } from 'react';
import { useSecrets } from '../../app-context';

/** Whole seconds until `until` (epoch ms), updated as they pass; 0 once it is over or when there is nothing. */
export function useSecondsLeft(until: number | null | undefined): number {
  const left = () => (until ? Math.max(0, Math.ceil((until - Date.now()) / 1000)) : 0);
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    setSeconds(left());
    if (!until) return;
    // 4 ticks a second: the number changes within a quarter second of the real one.
    const h = setInterval(() => setSeconds(left()), 250);
    return () => clearInterval(h);
    // `left` reads only `until`.
  }, [until]);
  return seconds;
}

/**
 * "Clipboard clears in N s", counting down while a copied value waits to be cleared. Shown beside the secret, not in
 * the revealed value's box: the value hides before a late copy's clipboard clears, and the countdown must outlive it.
 */
export function ClipboardCountdown() {
  const clearsAt = useSecrets((s) => s.clipboardClearsAt);
  const seconds = useSecondsLeft(clearsAt);
  if (!clearsAt || seconds === 0) return null;
  return (
    <p className="muted" role="timer" aria-live="off" data-testid="secret-clipboard-countdown" data-seconds={seconds}>
      Copied. The clipboard clears in {seconds} s.
    </p>
  );
}
