import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Layers (VS Code style): shared → core → main/headless/cli → renderer, with no arrow running back up.
// ESLint matches import strings, so the aliases (@shared, @core) and relative paths are both covered.
const shellOrRenderer = ['**/main/**', '**/preload/**', '**/renderer/**', '@main/*', '@preload/*', '@renderer/*'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/results/**', 'reports/**'] }, // reports/: mutation reports and Stryker's sandboxes
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-empty-pattern': 'off',
    },
  },
  {
    files: ['electron/core/**/*.ts', 'electron/headless/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'the core runs under plain Node: inject a port instead' }],
        patterns: [{ group: [...shellOrRenderer, '@electron-toolkit/*', 'electron-store'], message: 'core/headless may not depend on shell or renderer code' }],
      }],
    },
  },
  {
    // The CLI (issue #16): shared/ and, in --data-dir mode only, the core through a lazy import() (never a static
    // one: the REST path must not load the core, better-sqlite3 or the AWS SDK). Type-only imports are free.
    files: ['electron/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'the CLI runs under plain Node' }],
        patterns: [{ group: [...shellOrRenderer, '@electron-toolkit/*', 'electron-store'], message: 'the CLI may not depend on shell or renderer code' }],
      }],
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ group: ['@core/*', '**/core/**', '**/headless/**', 'better-sqlite3', '@aws-sdk/*'], allowTypeImports: true, message: 'the CLI loads the core only lazily (await import()) in --data-dir mode' }],
      }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'shared is the contract: zod only' }],
        patterns: [{ group: ['node:*', '@core/*', '**/electron/**', ...shellOrRenderer], message: 'shared imports nothing of ours but shared, and no Node' }],
      }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'the renderer reaches main only through window.api' }],
        patterns: [{ group: ['node:*', '@core/*', '**/electron/**'], message: 'the renderer reaches main only through window.api' }],
      }],
      // zod stays out of the renderer's bundle (its schemas cost start-up time): values come from the plain-data
      // modules (shared/domain/*.catalog, shared/access, shared/ipc/channels and result); schema modules give types only.
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{
          group: ['zod', 'zod/*', '@shared/domain/*', '!@shared/domain/*.catalog', '@shared/ipc/*', '!@shared/ipc/channels', '!@shared/ipc/result'],
          allowTypeImports: true,
          message: 'the renderer takes only types from zod schema modules; import values from a *.catalog module',
        }],
      }],
    },
  },
  {
    // Screens and components act through their feature's store; only stores (and api/) talk to the Api.
    files: ['renderer/**/*.tsx'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.property.name=/^(invoke|on)$/][callee.object.name='api']",
        message: "call the feature store's action: only stores use the Api (api.invoke / api.on)",
      }],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/main/ipc/handle.ts'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "ImportSpecifier[imported.name='ipcMain']",
        message: 'register channels with registerIpc() from electron/main/ipc/handle.ts',
      }],
    },
  },
);
