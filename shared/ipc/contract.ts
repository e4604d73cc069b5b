import type { z } from 'zod';
import { coreContract } from './core.contract';
import { vaultContract } from './vault.contract';
import { datastoresContract } from './datastores.contract';
import { connectionsContract } from './connections.contract';
import { identityContract } from './identity.contract';
import { secretsContract } from './secrets.contract';
import { oauthContract } from './oauth.contract';
import { workflowsContract } from './workflows.contract';

/**
 * The single source of truth for every channel: input and output schemas. Main and the headless bridge parse
 * input with it; tests parse every handler's output with it (that is what catches a secret leaking into a list).
 * Each domain adds its own `<domain>.contract.ts` and spreads it here.
 */
export const contract = {
  ...coreContract,
  ...vaultContract,
  ...datastoresContract,
  ...connectionsContract,
  ...identityContract,
  ...secretsContract,
  ...oauthContract,
  ...workflowsContract,
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type Input<C extends Channel> = z.input<Contract[C]['input']>;
export type ParsedInput<C extends Channel> = z.output<Contract[C]['input']>;
export type Output<C extends Channel> = z.output<Contract[C]['output']>;
