import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** Screens and components act through their feature's store: the lint rule that keeps the Api out of every .tsx. */
const eslint = new ESLint({ cwd: process.cwd() });
async function refused(file: string, code: string): Promise<boolean> {
  const [r] = await eslint.lintText(code, { filePath: file });
  return (r?.messages ?? []).some((m) => m.ruleId === 'no-restricted-syntax');
}

describe('only stores use the Api', () => {
  it.each([
    ["const { api } = useApp(); void api.invoke('secrets:list', { workspaceId });"],
    ["useEffect(() => api.on('secrets:changed', () => undefined), []);"],
  ])('a screen may not: %s', async (code) => {
    expect(await refused('renderer/src/features/secrets/secrets-screen.tsx', `${code}\nexport {};\n`)).toBe(true);
  });

  it('a store may', async () => {
    const code = "declare const api: { invoke(c: string, i: unknown): Promise<unknown>; on(e: string, l: () => void): () => void };\nvoid api.invoke('secrets:list', {});\napi.on('secrets:changed', () => {});\nexport {};\n";
    expect(await refused('renderer/src/features/secrets/secrets-store.ts', code)).toBe(false);
  });
});
