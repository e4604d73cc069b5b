import { describe, expect, it } from 'vitest';
import { forbiddenNameCharacter, nameKey, nameSchema } from '@shared/domain/names';
import { WorkspaceNameSchema } from '@shared/domain/workspace';
import { SecretNameSchema } from '@shared/domain/secret';
import { ConnectionCreateSchema } from '@shared/domain/connection';
import { AuthorizeStartSchema } from '@shared/domain/oauth';
import { ApiKeyNameSchema, UsernameSchema } from '@shared/domain/identity';

const NFD = 'cafe\u0301-db';

describe('nameKey: one name under NFKC and full case folding', () => {
  it.each([
    ['café / CAFÉ / NFD', ['café-db', 'CAFÉ-DB', NFD, 'CAFE\u0301-DB', 'Café-Db']],
    ['ß / ẞ / SS / ss', ['straße', 'STRASSE', 'Strasse', 'STRAẞE']],
    ['ﬁ ligature / fi', ['ﬁle', 'file', 'FILE']],
    ['Kelvin sign / K / k', ['\u212Aey', 'Key', 'key']],
    ['Ångström sign / Å', ['\u212Bngström', 'Ångström', 'ÅNGSTRÖM']],
    ['fullwidth / ASCII', ['ＡＰＩ＿ＫＥＹ', 'API_KEY', 'api_key']],
    ['Greek final sigma / sigma / capital', ['ΟΔΟΣ', 'οδος', 'οδοσ']],
    ['no-break space / space', ['prod\u00A0db', 'prod db']],
    ['micro sign / mu', ['\u00B5s', 'μs', 'Μs']],
    ['soft hyphen is ignorable', ['data\u00ADbase', 'database']],
    ['variation selectors are ignorable', ['\u2764\uFE0F db', '\u2764 db']],
  ])('%s', (_label, names) => {
    const keys = new Set(names.map(nameKey));
    expect(keys.size, JSON.stringify([...keys])).toBe(1);
  });

  it('Turkish dotted and dotless i follow default (not Turkish) case folding', () => {
    // I and i are one letter; dotless ı stays apart from i (Unicode's default folding), İ folds to i + U+0307.
    expect(nameKey('ISTANBUL')).toBe(nameKey('istanbul'));
    expect(nameKey('ıstanbul')).not.toBe(nameKey('istanbul'));
    expect(nameKey('İstanbul')).toBe('i\u0307stanbul');
    expect(nameKey('İstanbul')).toBe(nameKey('i\u0307STANBUL'));
    expect(nameKey('İstanbul')).not.toBe(nameKey('istanbul'));
    // The plain formula normalize → toUpperCase → toLowerCase would merge ı with i and keep ẞ apart from ß.
    expect(nameKey('ı')).toBe('ı');
  });

  it('different names stay different', () => {
    expect(nameKey('prod')).not.toBe(nameKey('prod2'));
    expect(nameKey('a b')).not.toBe(nameKey('ab'));
    expect(nameKey('résumé')).not.toBe(nameKey('resume'));
  });

  it('is idempotent', () => {
    for (const n of ['café', 'STRAẞE', 'İstanbul', 'ﬁ', 'ΟΔΟΣ', 'ｶﾞ']) expect(nameKey(nameKey(n))).toBe(nameKey(n));
  });
});

describe('name validation: controls, zero-width and bidirectional characters are refused, naming the code point', () => {
  const schemas = {
    workspace: WorkspaceNameSchema,
    secret: SecretNameSchema,
    connection: ConnectionCreateSchema.shape.name,
    'oauth connection': AuthorizeStartSchema.shape.name,
    'API key': ApiKeyNameSchema,
  };

  it.each([
    ['\u0007', 'U+0007', 'control'],
    ['\u0000', 'U+0000', 'control'],
    ['\u009B', 'U+009B', 'control'],
    ['\u200B', 'U+200B', 'zero-width'],
    ['\u200C', 'U+200C', 'zero-width'],
    ['\u200D', 'U+200D', 'zero-width'],
    ['\u2060', 'U+2060', 'zero-width'],
    ['\uFEFF', 'U+FEFF', 'zero-width'],
    ['\u202A', 'U+202A', 'bidirectional'],
    ['\u202E', 'U+202E', 'bidirectional'],
    ['\u2066', 'U+2066', 'bidirectional'],
    ['\u2069', 'U+2069', 'bidirectional'],
    ['\u200E', 'U+200E', 'bidirectional'],
    ['\u200F', 'U+200F', 'bidirectional'],
    ['\u061C', 'U+061C', 'bidirectional'],
    ['\u2028', 'U+2028', 'separator'],
  ])('%j inside a name → refused as %s', (ch, codePoint, kind) => {
    for (const [what, schema] of Object.entries(schemas)) {
      const r = schema.safeParse(`invoice${ch}gpj.exe`);
      expect(r.success, what).toBe(false);
      const message = r.error!.issues[0]!.message;
      expect(message, what).toContain(codePoint);
      expect(message, what).toContain(kind);
      expect(message.startsWith('name must not contain'), what).toBe(true);
    }
    expect(forbiddenNameCharacter(`a${ch}`)).toContain(codePoint);
  });

  it('trims as before, and accepts letters of any script, emoji and punctuation', () => {
    expect(WorkspaceNameSchema.parse('  Équipe données  ')).toBe('Équipe données');
    for (const ok of ['café-db', 'STRAẞE', 'データ', 'مرحبا', 'prod 🚀', 'a.b_c-d (2)', 'ıstanbul']) expect(SecretNameSchema.parse(ok)).toBe(ok);
    expect(SecretNameSchema.safeParse('   ').error?.issues[0]?.message).toBe('name is required');
    expect(WorkspaceNameSchema.safeParse('x'.repeat(81)).error?.issues[0]?.message).toBe('name must be at most 80 characters');
  });

  it('the label names the field', () => {
    expect(nameSchema({ max: 10, label: 'title' }).safeParse('a\u202Eb').error?.issues[0]?.message).toMatch(/^title must not contain U\+202E/);
  });
});

describe('usernames stay ASCII, where COLLATE NOCASE already is nameKey', () => {
  it('refuses what would need Unicode folding to compare', () => {
    for (const u of ['ＡＤＭＩＮ', 'straße', '\u212Aelvin', 'café', 'ı', 'adm\u200Bin']) expect(UsernameSchema.safeParse(u).success, u).toBe(false);
    for (const u of ['admin', 'Vera.Lopez@corp', 'ci-bot_2']) expect(nameKey(UsernameSchema.parse(u))).toBe(u.toLowerCase());
  });
});
