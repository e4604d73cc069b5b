/** Ports: everything the core needs from its host is injected, so it runs the same under Electron and plain Node. */

export type Clock = { now(): Date };
export const systemClock: Clock = { now: () => new Date() };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Log fields are structural metadata only. Never pass a secret value, credential or token. */
export type Logger = {
  log(level: LogLevel, message: string, fields?: Record<string, string | number | boolean | null>): void;
};
export const silentLogger: Logger = { log: () => {} };

/**
 * Where the vault's master key lives (OS keychain, passphrase, …). Implementations must never write
 * the key to disk in plaintext.
 */
export type KeyStore = {
  readonly kind: string;
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  delete(account: string): Promise<boolean>;
};
