/** See bundle-node.mjs. */
export function bundleForNode(entry: string, outFile: string): Promise<string>;
