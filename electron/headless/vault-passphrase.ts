import fs from 'node:fs';
import type { PassphraseSource } from '@core/index';

/**
 * Headless unlock of a passphrase-mode vault, in this order (the keychain was already tried by core.start):
 * PROVENANCE_VAULT_PASSPHRASE_FILE (first line of the file), else a prompt on stdin when it is a terminal (no echo),
 * else nothing: the vault stays locked and the console's unlock screen asks.
 */
export function headlessPassphraseSource(env = process.env, stdin: NodeJS.ReadStream = process.stdin, out: NodeJS.WriteStream = process.stderr): PassphraseSource {
  return async () => {
    const file = env.PROVENANCE_VAULT_PASSPHRASE_FILE;
    if (file) {
      try {
        const first = fs.readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '';
        if (first) return first;
        out.write('PROVENANCE_VAULT_PASSPHRASE_FILE is empty; the vault stays locked\n');
      } catch {
        out.write('PROVENANCE_VAULT_PASSPHRASE_FILE could not be read; the vault stays locked (check the path and its permissions)\n');
      }
      return null;
    }
    if (stdin.isTTY) return promptHidden(stdin, out, 'Vault passphrase (input hidden; empty to skip): ');
    return null;
  };
}

/**
 * The passphrase a FIRST run sets the vault up with when no OS keychain is reachable: only from
 * PROVENANCE_VAULT_PASSPHRASE_FILE (a new passphrase is never typed blind at a prompt without confirmation).
 */
export function headlessSetupPassphraseSource(env = process.env, out: NodeJS.WriteStream = process.stderr): PassphraseSource {
  return async () => {
    const file = env.PROVENANCE_VAULT_PASSPHRASE_FILE;
    if (!file) return null;
    try {
      return fs.readFileSync(file, 'utf8').split(/\r?\n/)[0] || null;
    } catch {
      out.write('PROVENANCE_VAULT_PASSPHRASE_FILE could not be read (check the path and its permissions)\n');
      return null;
    }
  };
}

/** Reads one line from a TTY in raw mode, echoing nothing. Ctrl-C aborts the process as usual. */
export function promptHidden(stdin: NodeJS.ReadStream, out: NodeJS.WriteStream, question: string): Promise<string | null> {
  return new Promise((resolve) => {
    out.write(question);
    let buf = '';
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (v: string | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      out.write('\n');
      resolve(v);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(buf || null);
        if (ch === '\u0003') {
          out.write('\n');
          process.exit(130);
        }
        if (ch === '\u0004') return done(null);
        if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    stdin.on('data', onData);
  });
}
