import { invalid } from '../errors';

/** Opaque keyset cursors: base64url of the last row's sort key. */
export function encodeCursor(key: number | string): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): number | string {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof v === 'number' || typeof v === 'string') return v;
  } catch {
    // fall through
  }
  throw invalid('cursor is not valid; start again without it', 'cursor');
}
