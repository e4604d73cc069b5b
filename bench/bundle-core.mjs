import { bundleForNode } from '../scripts/bundle-node.mjs';

/** The core as the benches use it: bench/core-entry.ts bundled into out/bench/core.mjs, then imported. */
export async function loadCore() {
  return import(await bundleForNode('bench/core-entry.ts', 'out/bench/core.mjs'));
}
