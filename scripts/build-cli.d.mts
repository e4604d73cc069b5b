/** See build-cli.mjs. */
export function buildCli(outDir?: string): Promise<string>;
