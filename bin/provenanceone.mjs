#!/usr/bin/env node
// The provenanceone CLI launcher: runs the bundle `npm run build` writes (out/cli/provenanceone.js).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../out/cli/provenanceone.js', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('error UNAVAILABLE: the CLI is not built yet; run `npm run build` in the ProvenanceOne checkout\n');
  process.exit(1);
}
await import(pathToFileURL(bundle).href);
