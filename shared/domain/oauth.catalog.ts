/** Plain data, no zod: the renderer imports this file for values, which keeps zod out of its bundle. */

/** The catalog providers whose connections authorize through OAuth 2.0 (authorization code). */
export const OAUTH_PROVIDERS = ['slack', 'github', 'linkedin', 'x', 'okta'] as const;
export type OAuthProvider = (typeof OAUTH_PROVIDERS)[number];
