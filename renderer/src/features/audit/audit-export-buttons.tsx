import { useState } from 'react';
import { Download } from 'lucide-react';
import type { AuditExportFormat } from '@shared/domain/audit.catalog';
import type { IpcError } from '@shared/ipc/result';
import { useApp } from '../../app-context';
import { ErrorBanner } from '../../components/ui';
import { downloadText } from '../../components/download-file';

/**
 * Export of the filtered view: every event the applied filters match (the core reads them all, not just the
 * loaded pages), as CSV or JSON. The same access as reading the log.
 */
export function AuditExportButtons() {
  const { audit } = useApp();
  const [busy, setBusy] = useState<AuditExportFormat | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function run(format: AuditExportFormat) {
    setBusy(format);
    setError(null);
    setDone(null);
    const r = await audit.getState().exportAs(format);
    setBusy(null);
    if (!r.ok) return setError(r.error);
    downloadText(r.value.filename, r.value.content, r.value.contentType);
    setDone(`Saved ${r.value.count.toLocaleString()} ${r.value.count === 1 ? 'event' : 'events'} to ${r.value.filename}.`);
  }

  return (
    <div className="audit-export">
      <button type="button" className="secondary" data-testid="audit-export-csv" title="Every event the applied filters match, not just the loaded pages" disabled={busy !== null} onClick={() => void run('csv')}>
        <Download size={14} aria-hidden="true" /> {busy === 'csv' ? 'Exporting…' : 'Export CSV'}
      </button>
      <button type="button" className="secondary" data-testid="audit-export-json" title="Every event the applied filters match, not just the loaded pages" disabled={busy !== null} onClick={() => void run('json')}>
        <Download size={14} aria-hidden="true" /> {busy === 'json' ? 'Exporting…' : 'Export JSON'}
      </button>
      {done && (
        <span className="muted" role="status" data-testid="audit-export-done">
          {done}
        </span>
      )}
      <ErrorBanner error={error} testId="audit-export-error" />
    </div>
  );
}
