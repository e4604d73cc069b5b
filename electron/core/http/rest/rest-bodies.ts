import type { FastifyInstance } from 'fastify';

/**
 * Request bodies as the docs' curl examples send them, and Fastify's own errors in the API's error shape:
 * - `curl -d '{"value": …}'` without a content type arrives as application/x-www-form-urlencoded: it is read as JSON;
 * - `POST /secrets/{id}/reveal` with `content-type: application/json` and no body is an empty input, not a 400;
 * Malformed JSON, unsupported media types and oversized bodies are shaped by registerErrorHandler (rest-router.ts).
 * JSON is parsed by Fastify's default parser, which refuses __proto__ / constructor poisoning.
 */
export function configureRestBodies(app: FastifyInstance): void {
  // Fastify's default parser is the callback form (request, body, done).
  const json = app.getDefaultJsonParser('error', 'error') as unknown as (req: unknown, body: string, done: (err: Error | null, value?: unknown) => void) => void;
  const parse = (req: unknown, body: string | Buffer): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const text = body.toString();
      if (text.trim() === '') return resolve(undefined);
      json(req, text, (err, value) => (err ? reject(err) : resolve(value)));
    });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parse);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, parse);
}
