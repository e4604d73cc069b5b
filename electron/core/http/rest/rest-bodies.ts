import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors';
import { MAX_INPUT_DEPTH, TOO_DEEP_MESSAGE, jsonTextTooDeep } from '../../handlers/input-depth';

/**
 * Request bodies as the docs' curl examples send them, and Fastify's own errors in the API's error shape:
 * - `curl -d '{"value": …}'` without a content type arrives as application/x-www-form-urlencoded: it is read as JSON;
 * - `POST /secrets/{id}/reveal` with `content-type: application/json` and no body is an empty input, not a 400;
 * - a body nested deeper than MAX_INPUT_DEPTH is a 400 before it is parsed (the scan is a loop: no stack to blow).
 *   `envelopeDepth` is how many levels a route's envelope adds around the input (the console bridge's `{input}`: 1),
 *   so the limit is the same for a channel's input on every route.
 * Malformed JSON, unsupported media types and oversized bodies are shaped by registerErrorHandler (rest-router.ts).
 * JSON is parsed by Fastify's default parser, which refuses __proto__ / constructor poisoning.
 */
export function configureRestBodies(app: FastifyInstance, opts: { envelopeDepth?: (req: FastifyRequest) => number } = {}): void {
  // Fastify's default parser is the callback form (request, body, done).
  const json = app.getDefaultJsonParser('error', 'error') as unknown as (req: unknown, body: string, done: (err: Error | null, value?: unknown) => void) => void;
  const parse = (req: unknown, body: string | Buffer): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const text = body.toString();
      if (text.trim() === '') return resolve(undefined);
      const max = MAX_INPUT_DEPTH + (opts.envelopeDepth?.(req as FastifyRequest) ?? 0);
      if (jsonTextTooDeep(text, max)) return reject(new AppError('INVALID_INPUT', TOO_DEEP_MESSAGE, 'body'));
      json(req, text, (err, value) => (err ? reject(err) : resolve(value)));
    });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parse);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, parse);
}
