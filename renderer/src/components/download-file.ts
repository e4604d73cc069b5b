/**
 * Saves something the app made as a file: the browser's download in the console, Electron's save dialog for downloads
 * in the desktop app. The one place that does it (vault backups and the recovery sheet, audit exports, workflow files).
 */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Kept a while: revoked at once, some browsers have not started reading it yet.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Text as a file of the given media type (with its charset where it matters, e.g. `text/csv; charset=utf-8`). */
export function downloadText(fileName: string, text: string, type: string): void {
  downloadBlob(fileName, new Blob([text], { type }));
}
