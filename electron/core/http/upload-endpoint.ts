import type { Core } from '../index';
import type { Handlers } from '../handlers/dispatch';
import { createHttpServer, type HttpServer } from './http-server';

/**
 * The desktop app's loopback upload endpoint: filesystem datastores' pre-signed upload URLs must work even while
 * Settings → REST API is off (the default), so the first upload URL issued with no local server running starts this
 * uploads-only server (signed upload URLs and /health, nothing else) on a free port. It then stays up until the app
 * quits, so every URL it issued keeps working for its lifetime, even if the REST API is switched on and off later.
 */
export function createUploadEndpoint(core: Core, handlers: Handlers, make = createHttpServer) {
  let server: HttpServer | null = null;
  let url: string | null = null;

  async function start(): Promise<string> {
    if (url) return url;
    const next = make(core, handlers, { port: 0, uploadsOnly: true });
    try {
      ({ url } = await next.listen());
    } catch (e) {
      await next.close().catch(() => undefined);
      core.logger.log('warn', 'upload endpoint could not start', { code: (e as { code?: string }).code ?? 'unknown' });
      throw e;
    }
    server = next;
    core.logger.log('info', 'upload endpoint started for pre-signed upload URLs', { url });
    return url;
  }

  return {
    /** Registers the on-demand start with the upload grants (call once, after the core is built). */
    attach(): void {
      core.datastores.setUploadEndpointStarter(start);
    },
    async stop(): Promise<void> {
      core.datastores.setUploadEndpointStarter(null);
      const s = server;
      server = null;
      url = null;
      if (s) await s.close();
    },
  };
}
