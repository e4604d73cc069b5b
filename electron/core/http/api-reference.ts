import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/**
 * GET /docs: a readable API reference (Swagger UI) for GET /openapi.json, on the same loopback port as the API.
 * Swagger UI's files come from the installed swagger-ui-dist package, never a CDN. The page shows no data (the
 * document is public), so it needs no token. It runs under the console's CSP: scripts only from this origin, so
 * the initializer is a served file, not an inline script; the validator badge (an image from validator.swagger.io)
 * is turned off, so nothing on the page reaches another host.
 */

export const API_REFERENCE_PATH = '/docs';
const ASSETS_PREFIX = `${API_REFERENCE_PATH}/assets/`;
const INITIALIZER_PATH = `${API_REFERENCE_PATH}/api-reference.js`;
/** The only swagger-ui-dist files served (not its demo index.html, source maps or OAuth redirect page). */
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']);

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>ProvenanceOne Desktop REST API</title>
    <link rel="stylesheet" href="${ASSETS_PREFIX}swagger-ui.css">
    <link rel="icon" type="image/png" href="${ASSETS_PREFIX}favicon-32x32.png">
  </head>
  <body>
    <div id="swagger-ui" data-testid="api-reference"></div>
    <script src="${ASSETS_PREFIX}swagger-ui-bundle.js"></script>
    <script src="${INITIALIZER_PATH}"></script>
  </body>
</html>
`;

const INITIALIZER = `// Swagger UI on this server's own OpenAPI document (served as a file: the page's CSP allows no inline script).
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // The default would load a badge image from validator.swagger.io, sending it this document's URL.
    validatorUrl: null,
  });
});
`;

/** swagger-ui-dist's folder, found the way Node resolves the package (works bundled and in tests alike). */
function swaggerUiDir(): string {
  return path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

/** Registers GET /docs, its initializer and Swagger UI's assets. `csp` is the header the page runs under. */
export function registerApiReference(app: FastifyInstance, opts: { csp: string }): void {
  app.get(API_REFERENCE_PATH, async (_req, reply) => reply.type('text/html; charset=utf-8').header('content-security-policy', opts.csp).send(PAGE));
  app.get(`${API_REFERENCE_PATH}/`, async (_req, reply) => reply.redirect(API_REFERENCE_PATH));
  app.get(INITIALIZER_PATH, async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(INITIALIZER));
  void app.register(fastifyStatic, {
    root: swaggerUiDir(),
    prefix: ASSETS_PREFIX,
    decorateReply: false,
    index: false,
    allowedPath: (pathName) => ASSETS.has(pathName.replace(/^\//, '')),
    setHeaders: (reply) => {
      // Revalidated on each load (ETag), so an app update never runs a stale Swagger UI.
      void reply.header('cache-control', 'no-cache');
    },
  });
}
