import { describe, expect, it } from 'vitest';
import { SHORTCUTS, ariaKeyShortcuts, shortcutAttributes, shortcutHint, shortcutOf } from '../../../renderer/src/components/shortcuts';

const key = (k: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('keyboard shortcuts: what the "?" sheet lists is what the keys do', () => {
  it.each([
    [key('n'), 'new'],
    [key('N', { ctrlKey: true }), 'new'],
    [key('n', { metaKey: true }), 'new'],
    [key('/'), 'search'],
    [key('f', { ctrlKey: true }), 'search'],
    [key('l', { ctrlKey: true }), 'lock'],
    [key('?', { shiftKey: true }), 'help'],
  ] as const)('%j → %s', (e, id) => {
    expect(shortcutOf(e)).toBe(id);
  });

  it.each([key('N', { shiftKey: true }), key('l'), key('f'), key('n', { altKey: true }), key('n', { ctrlKey: true, shiftKey: true }), key('x', { ctrlKey: true }), key('Enter')])(
    'not a shortcut: %j',
    (e) => {
      expect(shortcutOf(e)).toBeNull();
    },
  );

  it('every listed key is one the handler answers, and tooltips show the first', () => {
    for (const s of SHORTCUTS) {
      expect(shortcutHint(s.id)).toBe(s.keys[0]);
      for (const k of s.keys) {
        const ctrl = k.startsWith('Ctrl+');
        const name = ctrl ? k.slice(5).toLowerCase() : k.toLowerCase();
        expect(shortcutOf(key(name, { ctrlKey: ctrl, shiftKey: name === '?' })), k).toBe(s.id);
      }
    }
  });

  it('aria-keyshortcuts and the search boxes\' title name every key, and each is one the handler answers', () => {
    expect(ariaKeyShortcuts('lock')).toBe('Control+L');
    expect(shortcutAttributes('search')).toEqual({ title: 'Shortcut: / or Ctrl+F', 'aria-keyshortcuts': '/ Control+F' });
    for (const s of SHORTCUTS) {
      const keys = ariaKeyShortcuts(s.id).split(' ');
      expect(keys).toHaveLength(s.keys.length);
      for (const k of keys) {
        const ctrl = k.startsWith('Control+');
        const name = (ctrl ? k.slice('Control+'.length) : k).toLowerCase();
        expect(shortcutOf(key(name, { ctrlKey: ctrl, shiftKey: name === '?' })), k).toBe(s.id);
      }
    }
  });
});
