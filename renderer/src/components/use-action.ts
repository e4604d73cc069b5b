import { useCallback, useState } from 'react';
import type { IpcError } from '@shared/ipc/result';

/**
 * A form's one action in flight: `run` marks it busy, keeps the store action's error for the form to show, and
 * hands the error back so the caller can close a dialog on success (null).
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const run = useCallback(async (action: () => Promise<IpcError | null>): Promise<IpcError | null> => {
    setBusy(true);
    try {
      const err = await action();
      setError(err);
      return err;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
