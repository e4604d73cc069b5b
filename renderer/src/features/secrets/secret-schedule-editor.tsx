import { useEffect, useState } from 'react';
import type { SecretDetail } from '@shared/domain/secret';
import type { IpcError } from '@shared/ipc/result';
import { useApp } from '../../app-context';
import { formatMinute } from './secret-format';
import { Form } from '../../components/form';

/** The rotation schedule: when the next rotation (generated) or reminder (typed values) is due; writers change it. */
export function SecretScheduleEditor({ detail, canWrite, onError }: Readonly<{ detail: SecretDetail; canWrite: boolean; onError: (e: IpcError | null) => void }>) {
  const { secrets } = useApp();
  const s = detail.secret;
  const [days, setDays] = useState(s.rotation ? String(s.rotation.everyDays) : '');
  useEffect(() => setDays(s.rotation ? String(s.rotation.everyDays) : ''), [s.rotation]);
  return (
    <div className="schedule" data-testid="secret-schedule">
      <h3>Rotation schedule</h3>
      {s.rotation ? (
        <p>
          Every {s.rotation.everyDays} day(s).{' '}
          {s.rotation.dueSince ? (
            <strong data-testid="secret-rotation-due">Rotation due since {formatMinute(s.rotation.dueSince)}: rotate it with a new value from its provider.</strong>
          ) : s.rotation.nextRotationAt ? (
            <>
              Next {s.generator ? 'automatic rotation' : 'reminder'}: {formatMinute(s.rotation.nextRotationAt)}
            </>
          ) : null}
        </p>
      ) : (
        <p className="muted">No schedule.</p>
      )}
      {canWrite && (
        <Form
          className="inline"
          onSubmit={async () => {
            onError(await secrets.getState().update({ id: s.id, rotation: days.trim() ? { everyDays: Number(days) } : null }));
          }}
        >
          <input type="number" min={1} aria-label="Rotate every N days" data-testid="secret-schedule-input" value={days} onChange={(e) => setDays(e.target.value)} placeholder="days (empty = none)" />
          <button type="submit" className="secondary" data-testid="secret-schedule-save">
            Save schedule
          </button>
        </Form>
      )}
    </div>
  );
}
