import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The layer rules are real: each forbidden import is reported, each allowed one is not. */
const eslint = new ESLint({ cwd: process.cwd() });
async function errors(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: file });
  return (r?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === '@typescript-eslint/no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.ruleId!);
}

describe('layer rules', () => {
  it.each([
    ['electron/core/x.ts', "import { app } from 'electron';"],
    ['electron/core/x.ts', "import { w } from '../main/window';"],
    ['electron/headless/x.ts', "import Store from 'electron-store';"],
    ['shared/x.ts', "import fs from 'node:fs';"],
    ['shared/x.ts', "import { createCore } from '@core/index';"],
    ['renderer/src/x.ts', "import fs from 'node:fs';"],
    ['renderer/src/x.ts', "import { createCore } from '@core/index';"],
    ['renderer/src/x.ts', "import { ipcRenderer } from 'electron';"],
    ['renderer/src/x.ts', "import { z } from 'zod';"],
    ['renderer/src/x.ts', "import { AUDIT_ACTIONS } from '@shared/domain/audit';"],
    ['renderer/src/x.ts', "import { contract } from '@shared/ipc/contract';"],
    ['electron/main/x.ts', "import { ipcMain } from 'electron';"],
    ['electron/cli/x.ts', "import { createCore } from '@core/index';"],
    ['electron/cli/x.ts', "import { w } from '../main/window';"],
    ['electron/cli/x.ts', "import Database from 'better-sqlite3';"],
  ])('%s may not: %s', async (file, code) => {
    expect(await errors(file, `${code}\nexport {};\n`)).not.toEqual([]);
  });

  it.each([
    ['electron/core/x.ts', "import { z } from 'zod';"],
    ['electron/main/x.ts', "import { app } from 'electron';"],
    ['electron/main/ipc/handle.ts', "import { ipcMain } from 'electron';"],
    ['renderer/src/x.ts', "import type { Api } from '@shared/ipc/api';"],
    ['renderer/src/x.ts', "import type { AuditEvent } from '@shared/domain/audit';"],
    ['renderer/src/x.ts', "import { AUDIT_ACTIONS, type AuditAction } from '@shared/domain/audit.catalog';"],
    ['renderer/src/x.ts', "import { PUSH_EVENTS } from '@shared/ipc/channels';"],
    ['electron/cli/x.ts', "import type { Core } from '@core/index';"],
    ['electron/cli/x.ts', "import { nameKey } from '@shared/domain/names.catalog';"],
    ['electron/cli/x.ts', "export const load = () => import('@core/index');"],
  ])('%s may: %s', async (file, code) => {
    expect(await errors(file, `${code}\nexport {};\n`)).toEqual([]);
  });
});
