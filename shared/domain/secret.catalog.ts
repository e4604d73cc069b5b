/** Plain data, no zod: the renderer imports this file for values, which keeps zod out of its bundle. */

/** Character sets the generator draws from (crypto.randomInt, no modulo bias). */
export const GENERATOR_ALPHABETS = {
  alphanumeric: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  hex: '0123456789abcdef',
  base64url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  password: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~',
} as const;
export type GeneratorAlphabet = keyof typeof GENERATOR_ALPHABETS;
