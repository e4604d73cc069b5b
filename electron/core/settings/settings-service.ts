import type { Actor } from '@shared/domain/actor';
import { DEFAULT_REST_PORT, SettingsSchema, type Settings, type SettingsUpdate, type SettingsView } from '@shared/domain/settings';
import type { Db } from '../db/database';
import type { AuditService } from '../audit/audit-service';
import type { EventBus } from '../events/event-bus';
import type { CoreConfig } from '../config';

const DEFAULTS: Settings = { restApi: { enabled: false, port: DEFAULT_REST_PORT } };

/**
 * App-wide settings in the settings table (one JSON value per top-level key). Changes are audited and announced
 * on the bus ('settings:changed'), which is how the desktop shell learns to start or stop the REST server.
 * The REST server's runtime state (where it listens, why it could not start) is reported back here by whoever
 * runs it, so every window and the console show the same truth.
 */
export function createSettingsService(deps: { db: Db; audit: Pick<AuditService, 'record'>; bus: EventBus; config: Pick<CoreConfig, 'mode'> }) {
  const { db, audit, bus } = deps;
  let rest: { baseUrl: string | null; problem: string | null } = { baseUrl: null, problem: null };

  function get(): Settings {
    const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const stored: Record<string, unknown> = {};
    for (const r of rows) {
      try {
        stored[r.key] = JSON.parse(r.value);
      } catch {
        // A hand-edited or foreign row falls back to the default rather than blocking startup.
      }
    }
    const merged = { restApi: { ...DEFAULTS.restApi, ...(stored.restApi as object | undefined) } };
    const parsed = SettingsSchema.safeParse(merged);
    return parsed.success ? parsed.data : DEFAULTS;
  }

  function view(): SettingsView {
    const s = get();
    return { restApi: { ...s.restApi, alwaysOn: deps.config.mode === 'headless', baseUrl: rest.baseUrl, problem: rest.problem } };
  }

  function update(patch: SettingsUpdate, workspaceId: string, actor: Actor): SettingsView {
    const before = get();
    const next: Settings = { restApi: { ...before.restApi, ...stripUndefined(patch.restApi ?? {}) } };
    const changed = (Object.keys(next) as (keyof Settings)[]).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(before[k]));
    if (changed.length > 0) {
      db.transaction(() => {
        const put = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
        for (const k of changed) put.run(k, JSON.stringify(next[k]));
        audit.record({
          workspaceId,
          action: 'settings.updated',
          actor,
          target: { type: 'settings', id: changed.join(','), name: changed.join(', ') },
          details: Object.fromEntries(changed.map((k) => [k, { from: before[k], to: next[k] }])),
        });
      })();
      bus.emit('settings:changed', { keys: changed });
    }
    return view();
  }

  function reportRestStatus(status: { baseUrl: string | null; problem: string | null }): void {
    rest = status;
    bus.emit('settings:changed', { keys: ['restApi.status'] });
  }

  return { get, view, update, reportRestStatus };
}
export type SettingsService = ReturnType<typeof createSettingsService>;

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
