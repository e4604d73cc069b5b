// The command tree as commander declares it; each action is a few lines that hand over to its command module, so
// the --help texts read together here.
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT, formatError } from './cli-error';
import type { Client } from './client';
import { createOutput, type Output } from './output';
import { defaultDataDir, restBaseUrl } from './rest-api-endpoint';
import { createRestClient } from './rest-client';
import { apiKeyStore } from './api-key-store';
import { clean, parentProcessName } from './process-name';
import { getSecret, listSecrets, readStdinValue, removeSecret, rotateSecret, setSecret } from './secrets-command';
import { runExec } from './exec-command';
import { downloadObject, listObjects, parseDsUrl, uploadFiles, datastoreIdOf } from './datastores-command';
import { listConnections, testConnection } from './connections-command';
import { tailAudit } from './audit-command';
import { parseInputs, runWorkflow } from './workflows-command';
import { completionScript } from './completion';

type Common = { dataDir?: string; offline?: boolean; workspace?: string; json?: boolean };

const VERSION = process.env.npm_package_version ?? '0.1.0';

function common(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'work on this data directory in-process, without a running app')
    .option('--offline', 'when no app is running, open the default data directory in-process')
    .option('--workspace <id>', 'workspace id (default: the API key\'s own, else Default)')
    .option('--json', 'print JSON for scripts instead of tables');
}

/**
 * Which way to reach the core: --data-dir → in-process on that directory; otherwise the running app's REST API
 * (PROVENANCE_URL or the app's rest-api.json), or in-process on the default data dir with --offline when no app runs.
 */
async function connect(o: Common, processName: string, env: NodeJS.ProcessEnv = process.env): Promise<Client> {
  const local = async (dataDir: string) => {
    const [{ createLocalClient }, { headlessPassphraseSource }] = await Promise.all([import('./local-client'), import('../headless/vault-passphrase')]);
    return createLocalClient({ dataDir, workspaceId: o.workspace, processName, passphrase: headlessPassphraseSource(env), version: VERSION });
  };
  if (o.dataDir) return local(path.resolve(o.dataDir));
  const dataDir = defaultDataDir(env);
  let baseUrl: string;
  try {
    baseUrl = restBaseUrl(env, dataDir);
  } catch (e) {
    if (o.offline && e instanceof CliError && e.code === 'UNREACHABLE') return local(dataDir);
    throw e;
  }
  const apiKey = env.PROVENANCE_API_KEY || (await apiKeyStore.get(dataDir));
  if (!apiKey) throw new CliError('UNAUTHENTICATED', 'no API key: set PROVENANCE_API_KEY or run provenanceone login');
  return createRestClient({ baseUrl, apiKey, workspaceId: o.workspace, processName });
}

/** Runs an action with a client, always closing it; the action's number is the exit code. */
type Action = (client: Client, out: Output, o: Common & Record<string, unknown>) => Promise<number | void>;

export type RunResult = { exitCode: number };

export function buildProgram(result: RunResult): Command {
  const program = new Command('provenanceone');
  const interrupt = new AbortController();

  const act = (fn: Action, processName = parentProcessName) =>
    async function (this: Command) {
      const o = this.opts() as Common & Record<string, unknown>;
      const out = createOutput(!!o.json);
      const client = await connect(o, processName());
      try {
        result.exitCode = (await fn(client, out, o)) ?? EXIT.ok;
      } finally {
        await client.close();
      }
    };

  program
    .description('ProvenanceOne from the terminal: use secrets in local programs without plaintext files, move data, run workflows')
    .version(VERSION)
    .enablePositionalOptions()
    .showHelpAfterError(false)
    .addHelpText(
      'after',
      `
Reaching the app: the running app's REST API (PROVENANCE_URL, else the app's record in its data dir) with an API key
from PROVENANCE_API_KEY or \`provenanceone login\`; or --data-dir DIR to open a data directory in-process.
Exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 permission, 5 vault locked.`,
    );

  // ---- login / logout ----
  common(program.command('login').description('store an API key in the OS keychain (read from stdin or a hidden prompt)')).action(async function (this: Command) {
    const o = this.opts() as Common;
    const dataDir = defaultDataDir();
    let key: string | null;
    if (process.stdin.isTTY) {
      const { promptHidden } = await import('../headless/vault-passphrase');
      key = await promptHidden(process.stdin, process.stderr, 'API key (input hidden): ');
    } else key = (await readStdinValue()).trim();
    if (!key) throw new CliError('USAGE', 'no API key given');
    const client = createRestClient({ baseUrl: restBaseUrl(process.env, dataDir), apiKey: key, workspaceId: o.workspace, processName: parentProcessName() });
    try {
      // Any answer but 401 means the key is one the app knows (a scoped key may lack secrets:read).
      await client.call('secrets:list', { limit: 1 });
    } catch (e) {
      if (!(e instanceof CliError && e.code === 'FORBIDDEN')) throw e;
    } finally {
      await client.close();
    }
    await apiKeyStore.set(dataDir, key);
    createOutput(!!o.json).record({ stored: 'OS keychain', dataDir });
  });
  common(program.command('logout').description('delete the stored API key from the OS keychain')).action(async function (this: Command) {
    const o = this.opts() as Common;
    const dataDir = defaultDataDir();
    createOutput(!!o.json).record({ deleted: await apiKeyStore.delete(dataDir), dataDir });
  });

  // ---- secrets ----
  const secrets = program.command('secrets').description('list, read, set, rotate and remove secrets');
  common(secrets.command('list').description('secrets of the workspace (names and metadata, never values)').option('--search <prefix>', 'name prefix'))
    .action(act((c, out, o) => listSecrets(c, out, o.search as string | undefined)));
  common(
    secrets
      .command('get')
      .argument('<name-or-id>')
      .description('print a secret\'s value: only when stdout is not a terminal, or with --reveal (audited as secret.accessed)')
      .option('--reveal', 'print the value on a terminal too'),
  ).action(act((c, out, o) => getSecret(c, out, firstArg(o), { reveal: !!o.reveal, stdoutIsTTY: !!process.stdout.isTTY })));
  common(secrets.command('set').argument('<name>').description('create a secret, or rotate it when the name exists; the value is read from stdin').option('--description <text>'))
    .action(act(async (c, out, o) => setSecret(c, out, firstArg(o), await readStdinValue(), o.description as string | undefined)));
  common(secrets.command('rotate').argument('<name-or-id>').description('a new version: the value from stdin, or generated for a generated secret when stdin is a terminal'))
    .action(act(async (c, out, o) => rotateSecret(c, out, firstArg(o), process.stdin.isTTY ? undefined : await readStdinValue())));
  common(secrets.command('rm').argument('<name-or-id>').description('delete a secret').option('--force', 'also clear its references'))
    .action(act((c, out, o) => removeSecret(c, out, firstArg(o), !!o.force)));

  // ---- exec ----
  common(
    program
      .command('exec')
      .description('run a command with secrets in its environment, masking them in its output')
      .argument('<cmd...>', 'the command and its arguments, after --')
      .option('--env <NAME=ref>', 'NAME=provenance://secrets/<name-or-id> or provenance://connections/<name-or-id> (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
      .option('--env-file <file>', 'an env file template whose values may be provenance:// references')
      .option('--no-mask', 'pass the command\'s output through unmasked')
      .passThroughOptions()
      .addHelpText('after', '\nExample:\n  provenanceone exec --env DB_PASSWORD=provenance://secrets/db-password -- psql -h db.internal'),
  ).action(async function (this: Command, argv: string[]) {
    const o = this.opts() as Common & { env: string[]; envFile?: string; mask: boolean };
    const client = await connect(o, clean(argv[0] ?? 'unknown'));
    try {
      result.exitCode = await runExec(client, argv, { env: o.env, envFile: o.envFile, mask: o.mask });
    } finally {
      await client.close();
    }
  });

  // ---- datastores ----
  const ds = program.command('datastores').description('list, copy and remove datastore objects');
  common(ds.command('ls').argument('[datastore]', 'datastore name or id (none: list the datastores)').argument('[prefix]', 'key prefix').description('objects of a datastore'))
    .action(act((c, out, o) => {
      const [d, p] = argsOf(o) as [string | undefined, string | undefined];
      return listObjects(c, out, d, p);
    }));
  common(
    ds
      .command('cp')
      .argument('<source...>', 'local files or folders, or one ds://ID/key')
      .description('copy local files and folders (recursive) to ds://ID/prefix/, or ds://ID/key to a local path')
      .option('--parallel <n>', 'files in flight at once', '8')
      .option('--progress', 'print progress even when stderr is not a terminal')
      .addHelpText('after', '\nA folder given as dir/ copies its contents under the prefix; dir copies the folder itself.\nAn interrupted S3 upload (a file of at least one part) resumes when the same command runs again:\nover REST the app keeps what was stored, in --data-dir mode the data dir does.'),
  ).action(act(async (c, out, o) => {
    const args = argsOf(o)[0] as string[];
    if (args.length < 2) throw new CliError('USAGE', 'give a source and a destination');
    const dest = args[args.length - 1]!;
    const sources = args.slice(0, -1);
    const parallel = Number(o.parallel);
    if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw new CliError('USAGE', '--parallel must be a whole number from 1 to 64');
    const onInt = () => interrupt.abort();
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onInt);
    try {
      const copy = { parallel, progress: !!o.progress, signal: interrupt.signal };
      const to = parseDsUrl(dest);
      if (to) {
        if (sources.some((s) => parseDsUrl(s))) throw new CliError('USAGE', 'copying between datastores is not supported; copy to a local folder first');
        return await uploadFiles(c, out, sources, to, copy);
      }
      const from = sources.length === 1 ? parseDsUrl(sources[0]!) : null;
      if (!from) throw new CliError('USAGE', 'one side of cp must be ds://ID/…');
      return await downloadObject(c, out, from, dest, copy);
    } finally {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onInt);
    }
  }));
  common(ds.command('rm').argument('<url>', 'ds://ID/key').description('delete an object')).action(act(async (c, out, o) => {
    const u = parseDsUrl(firstArg(o));
    if (!u?.key) throw new CliError('USAGE', 'give the object as ds://ID/key');
    await c.call('datastores:objects:delete', { datastoreId: await datastoreIdOf(c, u.datastore), key: u.key });
    out.record({ key: u.key, deleted: true });
  }));
  common(
    ds
      .command('upload-url')
      .argument('<url>', 'ds://ID/key')
      .description('print a pre-signed URL that accepts one PUT of the object')
      .option('--expires <seconds>', 'how long the URL is valid', '900')
      .option('--content-type <type>', 'the content type the PUT must send', 'application/octet-stream'),
  ).action(act(async (c, out, o) => {
    const u = parseDsUrl(firstArg(o));
    if (!u?.key) throw new CliError('USAGE', 'give the object as ds://ID/key');
    const g = await c.call('datastores:uploadUrl', { datastoreId: await datastoreIdOf(c, u.datastore), key: u.key, expiresIn: Number(o.expires), contentType: o.contentType as string });
    if (out.json) out.record(g as unknown as Record<string, unknown>);
    else process.stdout.write(`${g.url}\n`);
  }));

  // ---- connections ----
  const conns = program.command('connections').description('list and test connections');
  common(conns.command('list').description('connections of the workspace (never credentials)')).action(act((c, out) => listConnections(c, out)));
  common(conns.command('test').argument('<name-or-id>').description("test the stored credential against the provider (exit 1 unless valid)"))
    .action(act((c, out, o) => testConnection(c, out, firstArg(o))));

  // ---- audit ----
  const audit = program.command('audit').description('the audit log');
  common(
    audit
      .command('tail')
      .description('the latest audit events, oldest first')
      .option('-n, --lines <n>', 'how many', '20')
      .option('-f, --follow', 'keep printing new events until interrupted')
      .addOption(new Option('--interval <ms>', 'how often --follow asks for new events').default('1000').hideHelp()),
  ).action(act(async (c, out, o) => {
    const onInt = () => interrupt.abort();
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onInt);
    try {
      await tailAudit(c, out, { lines: Number(o.lines) || 20, follow: !!o.follow, intervalMs: Math.max(100, Number(o.interval) || 1000), signal: interrupt.signal });
    } finally {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onInt);
    }
  }));

  // ---- workflows ----
  const wf = program.command('workflows').description('run workflows');
  common(
    wf
      .command('run')
      .argument('<id>')
      .description("start a run; with --wait, show its steps and exit with its result (0 succeeded, 1 otherwise)")
      .option('--wait', 'wait for the run to end')
      .option('--input <k=v>', 'a run input (repeatable; JSON values are parsed)', (v: string, acc: string[]) => [...acc, v], [] as string[]),
  ).action(act((c, out, o) => runWorkflow(c, out, firstArg(o), { inputs: parseInputs(o.input as string[]), wait: !!o.wait, intervalMs: 500, signal: interrupt.signal })));

  // ---- completion ----
  program
    .command('completion')
    .argument('<shell>', 'bash or zsh')
    .description('print a shell completion script: eval "$(provenanceone completion bash)"')
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh') throw new CliError('USAGE', 'completion supports bash and zsh');
      process.stdout.write(completionScript(program, shell));
    });

  // Every command parses strictly and reports usage errors in the CLI's one-line form (exit 2).
  const strict = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ outputError: () => undefined });
    cmd.commands.forEach(strict);
  };
  strict(program);
  return program;
}

/** The positional arguments of the command being run (put on its options by the preAction hook in run()). */
function argsOf(o: Record<string, unknown>): unknown[] {
  return (o.__args as unknown[]) ?? [];
}
const firstArg = (o: Record<string, unknown>): string => argsOf(o)[0] as string;

/** Parses and runs; resolves with the exit code. Errors are one line on stderr: `error CODE: message`. */
export async function run(argv: readonly string[]): Promise<number> {
  const result: RunResult = { exitCode: EXIT.ok };
  const program = buildProgram(result);
  // The positional arguments travel to the action with its options (see argsOf).
  program.hook('preAction', (_root, action) => {
    action.setOptionValue('__args', action.processedArgs);
  });
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return result.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
      // A group without its subcommand (`provenanceone secrets`): the help went to stderr; a usage error.
      if (e.code === 'commander.help') return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      process.stderr.write(`error USAGE: ${e.message.replace(/^error:\s*/, '')}\n`);
      return EXIT.usage;
    }
    const { line, exitCode } = formatError(e);
    process.stderr.write(`${line}\n`);
    return exitCode;
  }
}
