import type { Core } from '../index';
import type { Handlers } from '../handlers/dispatch';
import { createHttpServer, type HttpServer } from './http-server';
import { removeRestApiRecord, writeRestApiRecord } from './rest-api-record';

/**
 * The desktop app's REST server: served only while Settings → REST API is on, on the port set there (REST only:
 * no renderer, no console bridge). Follows 'settings:changed' on the bus; changes are applied one at a time.
 * Where it listens, or why it could not, is reported to core.settings so the Settings screen shows it.
 */
export function createRestServerController(core: Core, handlers: Handlers, make = createHttpServer) {
  let server: HttpServer | null = null;
  let applied: string | null = null;
  let queue: Promise<void> = Promise.resolve();
  let unsubscribe: (() => void) | null = null;

  async function reconcile(): Promise<void> {
    const { enabled, port } = core.settings.get().restApi;
    const want = enabled ? String(port) : null;
    if (want === applied) return;
    if (server) {
      const s = server;
      server = null;
      removeRestApiRecord(core.config.dataDir);
      await s.close();
    }
    applied = want;
    if (want === null) return core.settings.reportRestStatus({ baseUrl: null, problem: null });
    const next = make(core, handlers, { port });
    try {
      const { url } = await next.listen();
      server = next;
      // Local clients (the provenanceone CLI) find the API through this record.
      writeRestApiRecord(core.config.dataDir, url);
      core.settings.reportRestStatus({ baseUrl: url, problem: null });
    } catch (e) {
      await next.close().catch(() => undefined);
      const inUse = (e as { code?: string }).code === 'EADDRINUSE';
      core.logger.log('warn', 'REST API could not start', { port, code: (e as { code?: string }).code ?? 'unknown' });
      core.settings.reportRestStatus({
        baseUrl: null,
        problem: inUse ? `port ${port} is already in use; choose another port` : 'the REST API could not start; the details are in the app log',
      });
    }
  }

  const enqueue = () => (queue = queue.then(reconcile, reconcile));

  return {
    start(): Promise<void> {
      unsubscribe ??= core.bus.subscribe((event, payload) => {
        if (event === 'settings:changed' && (payload as { keys: string[] }).keys.includes('restApi')) void enqueue();
      });
      return enqueue();
    },
    async stop(): Promise<void> {
      unsubscribe?.();
      unsubscribe = null;
      await queue;
      if (server) {
        removeRestApiRecord(core.config.dataDir);
        await server.close();
      }
      server = null;
      applied = null;
    },
    /** Resolves once every queued change has been applied (tests, shutdown). */
    settled: () => queue,
  };
}
