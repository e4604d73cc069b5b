import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createCore, defaultLocalUser } from '@core/index';
import { defaultDataDir } from '@core/config';
import { createHandlers } from '@core/handlers/handlers';
import { createHttpServer } from '@core/http/http-server';
import { removeRestApiRecord, writeRestApiRecord } from '@core/http/rest-api-record';
import { createStderrLogger } from '@core/logging/stderr-logger';
import { headlessPassphraseSource, headlessSetupPassphraseSource } from './vault-passphrase';

const USAGE = `Usage: npm run serve -- [--data-dir DIR] [--port N]

  --data-dir DIR   where the database and vault live (env PROVENANCE_DATA_DIR; default ${defaultDataDir()})
  --port N         loopback port to listen on (default 4170; 0 picks a free one)

  A passphrase-protected vault unlocks from PROVENANCE_VAULT_PASSPHRASE_FILE, else a prompt when stdin is a terminal.`;

/** The same core as the desktop app, under plain Node, with the renderer served over loopback HTTP. */
async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        'renderer-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(args.port ?? process.env.PROVENANCE_PORT ?? 4170);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a whole number from 0 to 65535\n\n${USAGE}`);
    process.exit(2);
  }
  const dataDir = path.resolve(args['data-dir'] ?? process.env.PROVENANCE_DATA_DIR ?? defaultDataDir());
  const here = path.dirname(fileURLToPath(import.meta.url));
  const rendererDir = path.resolve(args['renderer-dir'] ?? path.join(here, '..', 'renderer'));

  const logger = createStderrLogger();
  const core = createCore({ dataDir, mode: 'headless', version: process.env.npm_package_version ?? '0.1.0', localUser: defaultLocalUser() }, { logger, openExternal: (url) => console.log(`Open this URL in a browser to authorize the connection: ${url}`) });
  // Headless: the console tab opens the consent page itself; the URL is printed too, for a browser elsewhere.
  // Headless first run: the vault is created in keychain mode when an OS keychain is reachable, else in passphrase
  // mode from PROVENANCE_VAULT_PASSPHRASE_FILE; without either it stays uninitialized and the console shows the setup
  // screen. A passphrase vault unlocks from that file, else a TTY prompt, else the console's unlock screen.
  const vaultStart = await core.start({ initialize: true, passphrase: headlessPassphraseSource(), setupPassphrase: headlessSetupPassphraseSource() });
  console.log(vaultStart.summary);
  core.scheduler.start();
  const handlers = createHandlers(core);
  const consoleToken = randomBytes(32).toString('base64url');
  const server = createHttpServer(core, handlers, { port, consoleToken, rendererDir });
  const { url } = await server.listen();
  // The headless process always serves the REST API, on the console's port.
  core.settings.reportRestStatus({ baseUrl: url, problem: null });
  // Local clients (the provenanceone CLI) find the API through this record; removed on a clean stop.
  writeRestApiRecord(dataDir, url);

  // The fragment never reaches the server or its logs; the console moves the token to sessionStorage.
  console.log(`ProvenanceOne console ready: ${url}/#token=${consoleToken}`);
  console.log(`data directory: ${dataDir}`);
  console.log(`REST API reference: ${url}/docs`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    removeRestApiRecord(dataDir);
    // A browser tab may hold connections open; it gets two seconds, then the database is closed regardless.
    await Promise.race([server.close(), new Promise((r) => setTimeout(r, 2000).unref())]);
    await core.scheduler.stop();
    core.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  console.error(`ProvenanceOne could not start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
