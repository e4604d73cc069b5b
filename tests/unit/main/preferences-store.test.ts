import fs from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../helpers/test-core';

vi.mock('electron', () => ({ default: {} }));
const { createPreferencesStore } = await import('../../../electron/main/preferences-store');

describe('preferences (electron-store)', () => {
  it('defaults, persists a patch, and ignores an invalid file instead of crashing', () => {
    const dir = tempDir();
    const p = createPreferencesStore(dir);
    expect(p.read()).toMatchObject({ theme: 'system', restApi: { enabled: false } });
    p.update({ theme: 'dark', windowBounds: { width: 1000, height: 700 } });
    expect(createPreferencesStore(dir).read()).toMatchObject({ theme: 'dark', windowBounds: { width: 1000, height: 700 } });
    fs.writeFileSync(p.path, '{"theme": 42}');
    expect(createPreferencesStore(dir).read().theme).toBe('system');
    expect(() => p.update({ theme: 'neon' as never })).toThrow();
  });
});
