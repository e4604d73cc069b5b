// A core in a child process, for tests that need a separate process: SIGKILL during key rotation, a session with
// no D-Bus. Loads the TypeScript sources through jiti (no build step). Prints one JSON line per event on stdout.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const jiti = createJiti(import.meta.url, { alias: { '@core': `${root}/electron/core`, '@shared': `${root}/shared` } });
const { createCore, localActor } = await jiti.import(`${root}/electron/core/index.ts`);
const { createKeytarKeyStore } = await jiti.import(`${root}/electron/core/vault/keytar-key-store.ts`);
const { headlessPassphraseSource } = await jiti.import(`${root}/electron/headless/vault-passphrase.ts`);

const [command, dataDir, arg, crashPoint] = process.argv.slice(2);
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const die = (where) => {
  say({ event: 'dying', where });
  process.kill(process.pid, 'SIGKILL');
};
// Deterministic crash points of a master-key rotation, for the crash test (none = killed from outside):
//   after-keychain-set: new key stored under its new account, database not yet changed
//   in-transaction:     data keys re-wrapped inside the open transaction, not committed
//   before-old-delete:  committed, the old keychain account not yet deleted
const keytar = createKeytarKeyStore('ProvenanceOne-test');
let rotating = false;
const keyStore = {
  ...keytar,
  async set(account, value) {
    await keytar.set(account, value);
    if (rotating && crashPoint === 'after-keychain-set') die(crashPoint);
  },
  async delete(account) {
    if (rotating && crashPoint === 'before-old-delete') die(crashPoint);
    return keytar.delete(account);
  },
};
const core = createCore(
  { dataDir, mode: 'headless', version: '0.0.0-test', localUser: 'tester' },
  { keyStore, vaultKdf: { N: 2 ** 12, r: 8, p: 1 } },
);
// The audit row of a rotation is written inside its transaction, after every data key was re-wrapped.
const record = core.audit.record;
core.audit.record = (entry) => {
  const id = record(entry);
  if (rotating && crashPoint === 'in-transaction' && entry.action === 'vault.key_rotated') die(crashPoint);
  return id;
};
const actor = localActor(core.config);
const errorOf = (e) => ({ code: e.code ?? 'UNKNOWN', message: e.message });

if (command === 'rotate-loop') {
  // Acknowledges each sealed value only after its row is committed, then rotates the master key, forever.
  await core.start({ initialize: true });
  say({ event: 'ready', status: core.vault.status() });
  // OR REPLACE: a kill between the commit and the parent reading "ack" leaves row n committed but unacknowledged, and
  // the restarted child starts again at n; only acknowledged values are checked, so rewriting that row is harmless.
  const put = core.db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)');
  for (let n = Number(arg ?? 0); ; n++) {
    const key = `crash-test:${n}`;
    put.run(key, core.vault.seal(Buffer.from(`value-${n}`), key).toString('base64'));
    say({ event: 'ack', n });
    rotating = n > Number(arg ?? 0); // the first rotation of each run completes, so every run has an old key to lose
    await core.vault.rotateMasterKey(actor);
    say({ event: 'rotated', n });
  }
} else if (command === 'setup') {
  // Keychain first; when it is unreachable, the passphrase path (arg).
  try {
    await core.vault.initializeWithKeychain(actor);
    say({ event: 'keychain', status: core.vault.status() });
  } catch (e) {
    say({ event: 'keychain-error', error: errorOf(e) });
    await core.vault.initializeWithPassphrase(arg, actor);
    say({ event: 'passphrase', status: core.vault.status() });
  }
  core.close();
} else if (command === 'start') {
  // The headless console's start: keychain, else PROVENANCE_VAULT_PASSPHRASE_FILE, else a TTY prompt.
  await core.start({ initialize: true, passphrase: headlessPassphraseSource() });
  say({ event: 'started', status: core.vault.status() });
  core.close();
}
