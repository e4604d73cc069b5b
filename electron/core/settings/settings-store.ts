import type { Db } from '../db/database';
import { createTransactor } from '../db/transactor';

/**
 * All SQL of the settings table: one JSON text value per key. App settings (settings-service) and the vault's
 * auto-lock minutes (vault-service) keep their rows here.
 */
export function createSettingsStore(db: Db) {
  const all = db.prepare('SELECT key, value FROM settings');
  const one = db.prepare('SELECT value FROM settings WHERE key = ?');
  const put = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  return {
    ...createTransactor(db),
    all: (): { key: string; value: string }[] => all.all() as { key: string; value: string }[],
    get: (key: string): string | undefined => (one.get(key) as { value: string } | undefined)?.value,
    put: (key: string, value: string): void => void put.run(key, value),
  };
}
export type SettingsStore = ReturnType<typeof createSettingsStore>;
