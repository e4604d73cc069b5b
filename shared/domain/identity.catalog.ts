/**
 * Plain data, no zod: the rules of a local user's username and password, and the words a person is told when one
 * is not met. The zod schemas (identity.ts) and the console's forms (checks before submit) both use these, so the
 * form and the server say the same thing. Each message reads on its own next to its field; the API prefixes the
 * field's name ("password: Use at least 12 characters.").
 */
export const USERNAME_MAX = 64;
export const USERNAME_PATTERN = /^[A-Za-z0-9._@-]+$/;
/** 12 is the floor NIST SP 800-63B suggests for admin accounts; any characters are fine. */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1024;

export const IDENTITY_MESSAGES = {
  usernameRequired: 'Enter a username.',
  usernameTooLong: `Use at most ${USERNAME_MAX} characters.`,
  usernameCharacters: 'Use only letters, digits and . _ @ - (no spaces).',
  passwordTooShort: `Use at least ${PASSWORD_MIN} characters.`,
  passwordTooLong: `Use at most ${PASSWORD_MAX} characters.`,
  loginUsernameRequired: 'Enter your username.',
  loginPasswordRequired: 'Enter your password.',
  scopesRequired: 'Choose at least one scope.',
} as const;

/** What is wrong with a username as typed (trimmed first, like the server), or null. */
export function usernameProblem(username: string): string | null {
  const u = username.trim();
  if (!u) return IDENTITY_MESSAGES.usernameRequired;
  if (u.length > USERNAME_MAX) return IDENTITY_MESSAGES.usernameTooLong;
  if (!USERNAME_PATTERN.test(u)) return IDENTITY_MESSAGES.usernameCharacters;
  return null;
}

/** What is wrong with a new password, or null. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN) return IDENTITY_MESSAGES.passwordTooShort;
  if (password.length > PASSWORD_MAX) return IDENTITY_MESSAGES.passwordTooLong;
  return null;
}
