import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import type { Channel, Output } from '@shared/ipc/contract';
import type { MultipartResume, MultipartResumeState } from '@core/datastores/backends/backend-port';
import { CliError } from './cli-error';
import type { CallInput, Client, UploadOptions } from './client';

export type LocalClientOptions = {
  dataDir: string;
  workspaceId?: string;
  processName: string;
  /** A passphrase vault's passphrase (PROVENANCE_VAULT_PASSPHRASE_FILE, else a no-echo prompt on a terminal). */
  passphrase: () => Promise<string | null>;
  version: string;
};

/** Where interrupted S3 uploads are remembered: one small JSON file per (datastore, key, file path, size, mtime). */
const RESUME_DIR = 'cli-uploads';

/**
 * A resume record of one upload, kept in the data dir (0600 like every file there). It names the S3 upload and its
 * part size, nothing else; the key is a hash of what identifies the body, so a changed file (size or mtime) starts
 * afresh.
 */
function resumeRecord(dataDir: string, id: string, onResumed?: (message: string) => void): MultipartResume {
  const dir = path.join(dataDir, RESUME_DIR);
  const file = path.join(dir, `${createHash('sha256').update(id).digest('hex').slice(0, 40)}.json`);
  return {
    load() {
      try {
        return JSON.parse(fs.readFileSync(file, 'utf8')) as MultipartResumeState;
      } catch {
        return null;
      }
    },
    save(state) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
    },
    clear() {
      fs.rmSync(file, { force: true });
    },
    onResumed: (n) => onResumed?.(`resuming an interrupted upload: ${n} part${n === 1 ? '' : 's'} already uploaded`),
  };
}

/**
 * --data-dir mode: the same core as the app, opened in this process (loaded lazily: the REST mode never pays for
 * it). The caller is the local OS user with origin `cli`, like the desktop's local admin; every call goes through the
 * handler table and dispatch, so input validation, access checks and audit are the app's own.
 */
export async function createLocalClient(o: LocalClientOptions): Promise<Client> {
  if (!fs.existsSync(path.join(o.dataDir, 'provenance.db'))) {
    // Never creates one: a mistyped path would otherwise become a new, empty data directory.
    throw new CliError('NOT_FOUND', `no ProvenanceOne data directory at ${o.dataDir}`);
  }
  // The SDK's multi-line notice about future Node versions is for the app's maintainers (package.json engines), not
  // for a CLI user whose stderr carries one line per error; its documented switch turns it off.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [{ createCore, localActor, defaultLocalUser }, { createHandlers }, { dispatch, toIpcError }] = await Promise.all([
    import('@core/index'),
    import('@core/handlers/handlers'),
    import('@core/handlers/dispatch'),
  ]);
  const logger = {
    log: (level: string, message: string) => {
      if (level === 'error') process.stderr.write(`provenanceone: ${message}\n`);
    },
  };
  // A guest on the data dir: an app may be serving it, so crash leftovers (maybe its uploads in flight) are the app's
  // to sweep, never ours. Two processes on one data dir stay safe.
  const core = createCore({ dataDir: o.dataDir, mode: 'headless', version: o.version, localUser: defaultLocalUser() }, { logger, datastoreSweep: false });
  // A CLI never creates a vault: a keychain vault unlocks by itself, a passphrase vault from the file or the prompt.
  await core.start({ passphrase: o.passphrase });
  const handlers = createHandlers(core);
  const actor = { ...localActor(core.config, 'cli'), process: o.processName };
  let workspaceId: string;
  try {
    workspaceId = o.workspaceId ? core.workspaces.get(o.workspaceId).id : core.workspaces.defaultWorkspace().id;
  } catch {
    core.close();
    throw new CliError('NOT_FOUND', `workspace ${o.workspaceId} not found`);
  }

  /** Anything the core throws, as the transports would answer it (AppError keeps its code; the rest is INTERNAL). */
  const cliError = (e: unknown): CliError => {
    if (e instanceof Error && e.name === 'AbortError') return new CliError('CANCELLED', 'cancelled');
    const err = toIpcError(e, core.logger, 'cli');
    return new CliError(err.code, err.message);
  };

  async function call<C extends Channel>(channel: C, input: CallInput<C>): Promise<Output<C>> {
    const r = await dispatch(handlers, channel, { ...input, workspaceId }, { actor }, core.logger);
    if (!r.ok) throw new CliError(r.error.code, r.error.message);
    return r.value as Output<C>;
  }

  return {
    mode: 'local',
    call,
    async upload(datastoreId, key, file, u: UploadOptions) {
      const counter = new Transform({
        transform(chunk: Buffer, _e, done) {
          u.onProgress(chunk.length);
          done(null, chunk);
        },
      });
      const body = fs.createReadStream(file.path, { highWaterMark: 1024 * 1024 }).pipe(counter);
      const id = JSON.stringify([workspaceId, datastoreId, key, path.resolve(file.path), file.size, file.mtimeMs]);
      try {
        await core.datastores.putStream(actor, workspaceId, datastoreId, key, body, {
          contentType: u.contentType,
          total: file.size,
          signal: u.signal,
          resume: resumeRecord(o.dataDir, id, u.onResume),
        });
      } catch (e) {
        throw cliError(e);
      }
    },
    async download(datastoreId, key) {
      try {
        const { object, stream } = await core.datastores.read(actor, workspaceId, datastoreId, key);
        return { size: object.size, stream };
      } catch (e) {
        throw cliError(e);
      }
    },
    async close() {
      core.close();
    },
  };
}
