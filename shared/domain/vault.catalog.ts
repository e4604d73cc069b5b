/** Plain data, no zod: the renderer imports this file for values, which keeps zod out of its bundle. */

/** Shortest passphrase the admin may choose (setup, restore): long enough to resist guessing at scrypt speed. */
export const PASSPHRASE_MIN_LENGTH = 12;
