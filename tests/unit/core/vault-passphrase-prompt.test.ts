import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { headlessPassphraseSource, promptHidden } from '../../../electron/headless/vault-passphrase';

/** A stand-in terminal: records raw-mode switches and everything written to the screen. */
function fakeTty() {
  const ee = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const rawModes: boolean[] = [];
  Object.assign(ee, {
    isTTY: true,
    isRaw: false,
    setRawMode: (on: boolean) => rawModes.push(on),
    resume: () => {},
    pause: () => {},
    setEncoding: () => {},
  });
  let screen = '';
  const out = { write: (s: string) => ((screen += s), true) };
  return { stdin: ee as unknown as NodeJS.ReadStream, out: out as unknown as NodeJS.WriteStream, rawModes, screen: () => screen, type: (s: string) => ee.emit('data', s) };
}

describe('headless vault passphrase', () => {
  it('prompts on a TTY in raw mode and echoes nothing of what is typed', async () => {
    const t = fakeTty();
    const answer = promptHidden(t.stdin, t.out, 'Vault passphrase: ');
    t.type('secret-pa');
    t.type('sx\u007fs phrase\r');
    expect(await answer).toBe('secret-pass phrase');
    expect(t.screen()).toBe('Vault passphrase: \n');
    expect(t.rawModes).toEqual([true, false]);
  });

  it('takes the first line of PROVENANCE_VAULT_PASSPHRASE_FILE before any prompt', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'p1-pp-')), 'pass');
    fs.writeFileSync(file, 'from the file\nignored\n');
    const t = fakeTty();
    expect(await headlessPassphraseSource({ PROVENANCE_VAULT_PASSPHRASE_FILE: file }, t.stdin, t.out)()).toBe('from the file');
    expect(t.screen()).toBe('');
  });

  it('an unreadable file leaves the vault locked with a hint, and no TTY means no prompt', async () => {
    const t = fakeTty();
    expect(await headlessPassphraseSource({ PROVENANCE_VAULT_PASSPHRASE_FILE: '/nonexistent/pass' }, t.stdin, t.out)()).toBeNull();
    expect(t.screen()).toMatch(/could not be read/);
    const notTty = { ...fakeTty(), isTTY: false };
    expect(await headlessPassphraseSource({}, { isTTY: false } as NodeJS.ReadStream, notTty.out)()).toBeNull();
  });
});
