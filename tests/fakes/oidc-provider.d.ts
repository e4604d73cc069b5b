// oidc-provider ships no types and @types/oidc-provider is not installed: the small surface the test server uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type InteractionDetails = { uid: string; params: Record<string, unknown>; prompt: { name: string } };
  export type GrantInstance = { addOIDCScope(scope: string): void; save(): Promise<string> };
  export type Adapter = unknown;

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    on(event: string, listener: (...args: unknown[]) => void): this;
    Grant: new (init: { accountId: string; clientId: string }) => GrantInstance;
    RefreshToken: { find(value: string): Promise<{ destroy(): Promise<void>; grantId: string } | undefined> };
    Grant_find?: never;
    proxy: boolean;
  }
}
