import type { Readable } from 'node:stream';
import type { Actor } from '@shared/domain/actor';
import type { StorageStepConfig } from '@shared/domain/workflow';
import { StepError, type StepKindModule } from '../step-kind';

/** The most a get step hands on (whole object in memory, as context.fileContent). */
export const STORAGE_STEP_MAX_BYTES = 10 * 1024 * 1024;

/** What the storage kind needs of the datastores room: the object service's own checked methods, with the run's actor. */
export type StorageStepDeps = {
  objects: {
    read(actor: Actor, workspaceId: string, datastoreId: string, key: string): Promise<{ object: { size: number; contentType: string; sha256: string }; stream: Readable }>;
    putText(
      actor: Actor,
      input: { workspaceId: string; datastoreId: string; key: string; content: string; contentType?: string },
    ): Promise<{ contentType: string; size: number; sha256: string }>;
  };
  maxBytes?: number;
};

const TEXT_TYPES = /^(text\/|application\/(json|xml|csv|javascript|x-ndjson|yaml|x-yaml|toml|sql)\b|application\/[\w.+-]+\+(json|xml)\b)/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

async function readAll(stream: Readable, max: number, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  const abort = () => stream.destroy();
  signal.addEventListener('abort', abort, { once: true });
  try {
    for await (const c of stream) {
      const b = c as Buffer;
      n += b.length;
      if (n > max) {
        stream.destroy();
        throw tooLarge(max);
      }
      chunks.push(b);
    }
  } finally {
    signal.removeEventListener('abort', abort);
  }
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new StepError('CANCELLED', 'step aborted');
  return Buffer.concat(chunks);
}

const tooLarge = (max: number) =>
  new StepError(
    'PAYLOAD_TOO_LARGE',
    `object is larger than ${Math.round(max / 1024 / 1024)} MiB, too large to pass to the next step as context.fileContent; ` +
      'stream it instead (GET /datastores/{id}/objects/{key})',
  );

/**
 * The docs' storage step. `get` outputs `{fileContent, contentType, size, encoding}`: text (a text content type whose
 * bytes are valid UTF-8) as a string, anything else as base64 with `encoding: 'base64'`. `put` writes `config.content`
 * or, by default, the output of the one step it needs: a string as is (text/plain), anything else as JSON
 * (application/json); `config.contentType` wins. Keys match exactly. Access is the object service's, with the run's actor.
 */
export function createStorageStepKind(deps: StorageStepDeps): StepKindModule<StorageStepConfig> {
  const max = deps.maxBytes ?? STORAGE_STEP_MAX_BYTES;
  return {
    kind: 'storage',
    references: (config) => ({ datastores: [config.datastoreId] }),
    async run(config, ctx) {
      if (config.action === 'get') {
        const { object, stream } = await deps.objects.read(ctx.actor, ctx.workspaceId, config.datastoreId, config.key);
        if (object.size > max) {
          stream.destroy();
          throw tooLarge(max);
        }
        const bytes = await readAll(stream, max, ctx.signal);
        let text: string | null = null;
        if (TEXT_TYPES.test(object.contentType)) {
          try {
            text = utf8.decode(bytes);
          } catch {
            text = null;
          }
        }
        return {
          output:
            text !== null
              ? { fileContent: text, contentType: object.contentType, size: object.size, encoding: 'utf8' }
              : { fileContent: bytes.toString('base64'), contentType: object.contentType, size: object.size, encoding: 'base64' },
        };
      }
      let content: unknown = config.content;
      if (content === undefined) {
        if (ctx.needed.length !== 1) {
          throw new StepError('INVALID_INPUT', 'a put step without content writes the output of the one step it needs: give content, or needs with exactly one step');
        }
        content = ctx.needed[0]!.output;
      }
      const isText = typeof content === 'string';
      const body = isText ? (content as string) : (JSON.stringify(content ?? null) ?? 'null');
      if (Buffer.byteLength(body, 'utf8') > max) throw new StepError('PAYLOAD_TOO_LARGE', `content is larger than ${Math.round(max / 1024 / 1024)} MiB`);
      ctx.signal.throwIfAborted();
      const o = await deps.objects.putText(ctx.actor, {
        workspaceId: ctx.workspaceId,
        datastoreId: config.datastoreId,
        key: config.key,
        content: body,
        contentType: config.contentType ?? (isText ? 'text/plain' : 'application/json'),
      });
      return { output: { key: config.key, contentType: o.contentType, size: o.size, sha256: o.sha256 } };
    },
  };
}
