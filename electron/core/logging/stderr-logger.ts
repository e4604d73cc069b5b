import type { Logger } from '../ports';

/** JSON lines on stderr. Fields are metadata only (see the Logger port): never values. */
export function createStderrLogger(minLevel: 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger {
  const order = { debug: 0, info: 1, warn: 2, error: 3 } as const;
  return {
    log(level, message, fields) {
      if (order[level] < order[minLevel]) return;
      process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), level, message, ...fields })}\n`);
    },
  };
}
