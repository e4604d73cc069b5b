import type { Actor } from '@shared/domain/actor';
import { DEFAULT_REST_PORT, SettingsSchema, type Settings, type SettingsUpdate, type SettingsView } from '@shared/domain/settings';
import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import type { EventBus } from '../events/event-bus';
import type { CoreConfig } from '../config';
import type { WorkspaceService } from '../workspaces/workspace-service';
import type { SettingsStore } from './settings-store';

const DEFAULTS: Settings = { restApi: { enabled: false, port: DEFAULT_REST_PORT } };

/**
 * App-wide settings in the settings table (one JSON value per top-level key). Changes are audited and announced
 * on the bus ('settings:changed'), which is how the desktop shell learns to start or stop the REST server.
 * The REST server's runtime state (where it listens, why it could not start) is reported back here by whoever
 * runs it, so every window and the console show the same truth.
 *
 * Who may call what: `update` checks `settings.manage` in the Default workspace (app-wide settings are administered
 * there, like creating workspaces). `view` is open to every caller: not secret (a switch and a port), and every
 * signed-in screen shows it. `get` and `reportRestStatus` are internal, for whoever runs the REST server.
 */
export function createSettingsService(deps: {
  store: SettingsStore;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'assert'>;
  workspaces: Pick<WorkspaceService, 'defaultWorkspace'>;
  bus: EventBus;
  config: Pick<CoreConfig, 'mode'>;
}) {
  const { store, audit, access, bus } = deps;
  let rest: { baseUrl: string | null; problem: string | null } = { baseUrl: null, problem: null };

  /** Internal: the stored settings merged over the defaults. */
  function get(): Settings {
    const stored: Record<string, unknown> = {};
    for (const r of store.all()) {
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

  function update(patch: SettingsUpdate, actor: Actor): SettingsView {
    const workspaceId = deps.workspaces.defaultWorkspace().id;
    access.assert(actor, workspaceId, 'settings.manage');
    const before = get();
    const next: Settings = { restApi: { ...before.restApi, ...stripUndefined(patch.restApi ?? {}) } };
    const changed = (Object.keys(next) as (keyof Settings)[]).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(before[k]));
    if (changed.length > 0) {
      store.transaction(() => {
        for (const k of changed) store.put(k, JSON.stringify(next[k]));
        audit.record({
          workspaceId,
          action: 'settings.updated',
          actor,
          target: { type: 'settings', id: changed.join(','), name: changed.join(', ') },
          details: Object.fromEntries(changed.map((k) => [k, { from: before[k], to: next[k] }])),
        });
      });
      bus.emit('settings:changed', { keys: changed });
    }
    return view();
  }

  /** Internal: the REST server's runner reports where it listens, or why it could not start. */
  function reportRestStatus(status: { baseUrl: string | null; problem: string | null }): void {
    rest = status;
    bus.emit('settings:changed', { keys: ['restApi.status'] });
  }

  return {
    // User-facing: `update` checks the actor; `view` is open (see above).
    view,
    update,
    // Internal.
    get,
    reportRestStatus,
  };
}
export type SettingsService = ReturnType<typeof createSettingsService>;

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
