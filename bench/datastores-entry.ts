// What bench/datastores.bench.mjs measures, bundled by it with vite (the app's own code, not a copy).
export { openFilesystemBackend } from '../electron/core/datastores/backends/filesystem-backend';
export { openS3Backend } from '../electron/core/datastores/backends/s3-backend';
export { createCore, localActor } from '../electron/core/index';
