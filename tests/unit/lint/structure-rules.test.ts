import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { cruise } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The structure rules of `npm run lint` (.dependency-cruiser.cjs) are real: a planted cycle and a db/ module that
 * imports a capability are each reported, and a clean tree is not. The trees are written to a temp folder with the
 * app's own paths, and cruised with the app's own rule set.
 */
const config = createRequire(import.meta.url)(path.resolve('.dependency-cruiser.cjs')) as {
  forbidden: unknown[];
  options: Record<string, unknown>;
};
const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

async function violations(files: Record<string, string>): Promise<string[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'p1-structure-'));
  roots.push(root);
  for (const [file, code] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), code);
  }
  const cwd = process.cwd();
  process.chdir(root); // dependency-cruiser reports and matches paths relative to the working directory
  try {
    const { tsConfig: _ts, ...options } = config.options;
    const tops = ['electron', 'shared'].filter((d) => fs.existsSync(path.join(root, d)));
    const result = await cruise(tops, { ...options, validate: true, ruleSet: { forbidden: config.forbidden } } as never);
    const output = result.output as { summary: { violations: { rule: { name: string } }[] } };
    return output.summary.violations.map((v) => v.rule.name);
  } finally {
    process.chdir(cwd);
  }
}

describe('structure rules', () => {
  it('a planted import cycle fails', async () => {
    expect(
      await violations({
        'electron/core/a/a-service.ts': "import { b } from '../b/b-service';\nexport const a = () => b();\n",
        'electron/core/b/b-service.ts': "import { a } from '../a/a-service';\nexport const b = (): number => (a ? 1 : 0);\n",
      }),
    ).toContain('no-circular');
  });

  it('a cycle through a type-only import fails too', async () => {
    expect(
      await violations({
        'electron/core/a/a-service.ts': "import type { B } from '../b/b-service';\nexport type A = { b?: B };\n",
        'electron/core/b/b-service.ts': "import type { A } from '../a/a-service';\nexport type B = { a?: A };\n",
      }),
    ).toContain('no-circular');
  });

  it('db/ importing a capability fails', async () => {
    expect(
      await violations({
        'electron/core/db/database.ts': "import { m } from '../secrets/secret-migrations';\nexport const all = [m];\n",
        'electron/core/secrets/secret-migrations.ts': 'export const m = 1;\n',
      }),
    ).toContain('db-imports-no-capability');
  });

  it('a capability importing the handler table or the composition root fails', async () => {
    const found = await violations({
      'electron/core/handlers/dispatch.ts': 'export const dispatch = 1;\n',
      'electron/core/index.ts': 'export const createCore = 1;\n',
      'electron/core/secrets/secret-service.ts': "import { dispatch } from '../handlers/dispatch';\nimport { createCore } from '../index';\nexport const s = dispatch + createCore;\n",
    });
    expect(found).toContain('capability-imports-no-transport');
    expect(found).toContain('capability-imports-no-composition-root');
  });

  it('shared importing the core fails', async () => {
    expect(
      await violations({
        'shared/x.ts': "import { c } from '../electron/core/c';\nexport const x = c;\n",
        'electron/core/c.ts': 'export const c = 1;\n',
      }),
    ).toContain('shared-imports-only-shared');
  });

  it('a capability importing db/ and shared is clean', async () => {
    expect(
      await violations({
        'electron/core/db/database.ts': 'export type Migration = { version: number };\n',
        'electron/core/secrets/secret-migrations.ts': "import type { Migration } from '../db/database';\nimport { s } from '../../../shared/s';\nexport const m: Migration = { version: s };\n",
        'shared/s.ts': 'export const s = 250;\n',
      }),
    ).toEqual([]);
  });
});
