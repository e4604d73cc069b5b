import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Starts the headless console from its sources (electron/headless/index.ts through jiti, aliases from tsconfig,
 * like the worker processes of the cross-process tests), so a test of the real app runs the code of this checkout,
 * never whatever `out/` was last built from. No renderer is served (the REST API and console routes are).
 */
export function spawnHeadless(args: string[], opts: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, [path.join(root, 'node_modules/jiti/lib/jiti-cli.mjs'), path.join(root, 'electron/headless/index.ts'), ...args], {
    cwd: root,
    ...opts,
    env: {
      ...(opts.env ?? process.env),
      JITI_ALIAS: JSON.stringify({ '@core': path.join(root, 'electron/core'), '@shared': path.join(root, 'shared') }),
    },
  });
}
