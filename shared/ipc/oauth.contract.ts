import { z } from 'zod';
import { IdSchema } from '../domain/common';
import {
  AuthorizeStartSchema,
  AuthorizeStartedSchema,
  FlowRefSchema,
  FlowStatusSchema,
  OAuthAppCreateSchema,
  OAuthAppListSchema,
  OAuthAppPageSchema,
  OAuthAppRefSchema,
  OAuthAppSchema,
  OAuthAppUpdateSchema,
  ReauthorizeSchema,
  RefreshHealthSchema,
} from '../domain/oauth';

/** OAuth 2.0: apps, the consent flow, refresh health. No output carries a token or a client secret. */
export const oauthContract = {
  'oauthApps:list': { input: OAuthAppListSchema, output: OAuthAppPageSchema },
  'oauthApps:create': { input: OAuthAppCreateSchema, output: OAuthAppSchema },
  'oauthApps:update': { input: OAuthAppUpdateSchema, output: OAuthAppSchema },
  'oauthApps:delete': { input: OAuthAppRefSchema, output: z.object({ id: IdSchema, deleted: z.literal(true) }) },
  'oauth:authorize': { input: AuthorizeStartSchema, output: AuthorizeStartedSchema },
  'oauth:reauthorize': { input: ReauthorizeSchema, output: AuthorizeStartedSchema },
  'oauth:flowStatus': { input: FlowRefSchema, output: FlowStatusSchema },
  'oauth:flowCancel': { input: FlowRefSchema, output: FlowStatusSchema },
  'oauth:health': { input: z.strictObject({ workspaceId: IdSchema }), output: RefreshHealthSchema },
} as const;
