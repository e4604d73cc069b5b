import type { FastifyError, FastifyInstance } from 'fastify';
import type { ErrorCode } from '@shared/ipc/result';
import { sendError } from './rest-router';

/**
 * Request bodies as the docs' curl examples send them, and Fastify's own errors in the API's error shape:
 * - `curl -d '{"value": …}'` without a content type arrives as application/x-www-form-urlencoded: it is read as JSON;
 * - `POST /secrets/{id}/reveal` with `content-type: application/json` and no body is an empty input, not a 400;
 * - malformed JSON, unsupported media types and oversized bodies answer `{"error":{code,message}}`.
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

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode ?? 500;
    const code: ErrorCode = status === 413 ? 'PAYLOAD_TOO_LARGE' : status >= 400 && status < 500 ? 'INVALID_INPUT' : 'INTERNAL';
    const message =
      code === 'PAYLOAD_TOO_LARGE'
        ? 'the request body is too large'
        : code === 'INVALID_INPUT'
          ? status === 415
            ? 'send the body as JSON (content-type: application/json)'
            : 'the request body is not valid JSON'
          : 'something went wrong inside the app; the details are in the app log';
    return sendError(reply, { code, message });
  });
}
