/** See build-cli.mjs. */
export function buildCli(): Promise<string>;
