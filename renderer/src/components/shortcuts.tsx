import { useEffect } from 'react';
import { Modal } from './dialog';

/**
 * The app's keyboard shortcuts: one list, read by the key handler (useShortcuts), the tooltips (shortcutHint) and the
 * "?" sheet (ShortcutsDialog), so what the sheet says is what the keys do.
 * Ctrl+N reaches the page in the desktop app; a browser keeps it for a new window, so the console also takes N.
 */
export type ShortcutId = 'new' | 'search' | 'lock' | 'help';
export const SHORTCUTS: ReadonlyArray<{ id: ShortcutId; keys: readonly string[]; label: string }> = [
  { id: 'new', keys: ['N', 'Ctrl+N'], label: 'Create a new item on this screen (connection, secret, datastore, workflow…)' },
  { id: 'search', keys: ['/', 'Ctrl+F'], label: 'Go to the search or filter box of this screen' },
  { id: 'lock', keys: ['Ctrl+L'], label: 'Lock the vault' },
  { id: 'help', keys: ['?'], label: 'Show this list of shortcuts' },
];
/** Keys that are not shortcuts but that every list answers (components/use-roving-list.ts). */
export const LIST_KEYS: ReadonlyArray<{ keys: readonly string[]; label: string }> = [
  { keys: ['Up', 'Down'], label: 'Move to the previous or next item of a list (a list is one Tab stop)' },
  { keys: ['Home', 'End'], label: 'Move to the first or last item of a list' },
  { keys: ['Enter', 'Space'], label: 'Open the item that has the focus' },
  { keys: ['Esc'], label: 'Close a dialog; focus goes back to the control that opened it' },
];

/** "N" for a tooltip: the first key of a shortcut. */
export function shortcutHint(id: ShortcutId): string {
  return SHORTCUTS.find((s) => s.id === id)!.keys[0]!;
}

/** Every key of a shortcut as aria-keyshortcuts spells them ("/ Control+F"), so assistive technology announces them. */
export function ariaKeyShortcuts(id: ShortcutId): string {
  return SHORTCUTS.find((s) => s.id === id)!.keys.map((k) => k.replace(/^Ctrl\+/, 'Control+')).join(' ');
}

/**
 * The shortcut of a control that cannot hold a Tip without getting in the way (a search box: a tooltip opened by
 * focus would cover the list while typing): a native hover title ("Shortcut: / or Ctrl+F") and aria-keyshortcuts.
 */
export function shortcutAttributes(id: ShortcutId): { title: string; 'aria-keyshortcuts': string } {
  return { title: `Shortcut: ${SHORTCUTS.find((s) => s.id === id)!.keys.join(' or ')}`, 'aria-keyshortcuts': ariaKeyShortcuts(id) };
}

/** Typing in a field or with a dialog open is never a shortcut (a bare "n" is a letter there). */
function typingOrModal(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return true;
  return document.querySelector('.modal') !== null;
}

/** Which shortcut a key press is, if any. */
export function shortcutOf(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>): ShortcutId | null {
  const mod = e.ctrlKey || e.metaKey;
  if (e.altKey) return null;
  const k = e.key.toLowerCase();
  if (mod && !e.shiftKey) return k === 'n' ? 'new' : k === 'f' ? 'search' : k === 'l' ? 'lock' : null;
  if (mod) return null;
  if (k === 'n' && !e.shiftKey) return 'new';
  if (k === '/') return 'search';
  if (k === '?') return 'help';
  return null;
}

/**
 * Listens for the shortcuts on the window. "new" clicks the screen's primary action (marked data-shortcut="new" by
 * components/ui Screen) and "search" focuses the screen's search box, so screens need no code of their own.
 */
export function useShortcuts(handlers: Readonly<{ lock: () => void; help: () => void }>): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const id = shortcutOf(e);
      if (!id || typingOrModal(e)) return;
      if (id === 'new') {
        const b = document.querySelector<HTMLButtonElement>('main [data-shortcut="new"]');
        if (!b || b.disabled) return;
        e.preventDefault();
        b.click();
      } else if (id === 'search') {
        const box = document.querySelector<HTMLInputElement>('main input[type="search"]');
        if (!box) return;
        e.preventDefault();
        box.focus();
        box.select();
      } else if (id === 'lock') {
        e.preventDefault();
        handlers.lock();
      } else {
        e.preventDefault();
        handlers.help();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [handlers]);
}

/** The "?" sheet: every shortcut and list key. */
export function ShortcutsDialog(props: Readonly<{ onClose: () => void }>) {
  const rows = [...SHORTCUTS, ...LIST_KEYS];
  return (
    <Modal
      title="Keyboard shortcuts"
      testId="shortcuts-dialog"
      onClose={props.onClose}
      actions={
        <button type="button" data-testid="shortcuts-close" onClick={props.onClose}>
          Close
        </button>
      }
    >
      <table className="kv shortcuts">
        <tbody>
          {rows.map((r) => (
            <tr key={r.label}>
              <th scope="row">
                {r.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && ' or '}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </th>
              <td>{r.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
