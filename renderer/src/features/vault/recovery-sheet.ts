/**
 * The recovery sheet offered after a passphrase setup (1Password's Emergency Kit is the model): a printable page that
 * says what the vault is, where its data lives and when it was set up, with an empty box for the passphrase.
 *
 * What must stay true: the app never writes the passphrase into the sheet. The box is a text field inside the saved
 * page itself, so only someone who opens the page and types into it puts the passphrase on paper.
 */
export type RecoverySheetFacts = { dataDir: string | null; createdAt: string | null; version: string | null; now: Date };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The sheet's file name: the date it was made, so a newer sheet does not overwrite an older one unseen. */
export const recoverySheetFileName = (now: Date) => `ProvenanceOne-recovery-sheet-${now.toISOString().slice(0, 10)}.html`;

export function recoverySheetHtml(f: RecoverySheetFacts): string {
  const setUp = f.createdAt ? new Date(f.createdAt) : f.now;
  const when = `${setUp.toLocaleString()} (${setUp.toISOString().replace('T', ' ').slice(0, 16)} UTC)`;
  const dir = f.dataDir ? escapeHtml(f.dataDir) : 'the app’s data folder (ask the administrator who set it up)';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ProvenanceOne recovery sheet</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;color:#111;background:#fff;max-width:42rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}
dt{font-weight:600;margin-top:.8rem}dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}
.box{border:2px solid #111;border-radius:6px;padding:.8rem;margin:.6rem 0 1.2rem}
.box input{width:100%;border:0;border-bottom:1px dashed #555;font:18px ui-monospace,monospace;padding:.6rem 0;background:transparent}
.note{color:#333}button{font:inherit;padding:.4rem 1rem}
@media print{button{display:none}}
</style></head>
<body>
<h1>ProvenanceOne recovery sheet</h1>
<p class="note">Keep this page somewhere safe and private, away from this computer (a locked drawer, a safe). It is what
you need to get back into your vault if you forget the passphrase that unlocks it.</p>
<dl>
<dt>What it unlocks</dt><dd>The ProvenanceOne vault: its secrets and the credentials of its connections.</dd>
<dt>Data folder</dt><dd data-testid="sheet-data-dir">${dir}</dd>
<dt>Vault set up</dt><dd data-testid="sheet-created">${escapeHtml(when)}</dd>
${f.version ? `<dt>App version</dt><dd>${escapeHtml(f.version)}</dd>` : ''}
</dl>
<h2>Vault passphrase</h2>
<p class="note">Write it by hand in the box after printing, or type it into the box before you print. This app did not put it here.</p>
<div class="box"><input aria-label="Vault passphrase" autocomplete="off" spellcheck="false"></div>
<h2>If the passphrase is lost</h2>
<p class="note">Nobody can recover it, including ProvenanceOne. The only way back is a vault backup (a .p1vault file,
made in Settings → Vault → Export backup) and that backup’s own passphrase. Make one now and keep it apart from this sheet.</p>
<p><button onclick="window.print()">Print this sheet</button></p>
</body></html>
`;
}
