/**
 * The structure rules that ESLint's import patterns cannot express: no import cycles anywhere in the app, and db/
 * (the migration type and runner, the database opener) never importing a capability. The layer rules
 * (shared → core → main/headless/cli → renderer) are restated here so one run of `npm run lint` checks the whole
 * picture; tests/unit/lint/structure-rules.test.ts proves the cycle rule fails on a planted cycle.
 */
// fs/ (the data dir's private files) is infrastructure below db/, not a capability.
const CAPABILITIES = '^electron/core/(?!db/|fs/)[^/]+/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle hides which room owns a piece of work: break it with a port or by moving the shared part down.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'db-imports-no-capability',
      severity: 'error',
      comment: 'db/ holds the migration type and runner only; the composition root assembles the capabilities\' migrations.',
      from: { path: '^electron/core/db/' },
      to: { path: CAPABILITIES },
    },
    {
      name: 'capability-imports-no-transport',
      severity: 'error',
      comment: 'Capabilities are called by the handler table and the HTTP edge, never the other way round.',
      from: { path: CAPABILITIES, pathNot: '^electron/core/(handlers|http)/' },
      to: { path: '^electron/core/(handlers|http)/' },
    },
    {
      name: 'capability-imports-no-composition-root',
      severity: 'error',
      comment: 'index.ts and schema-migrations.ts assemble the capabilities; a capability gets what it needs as a dep.',
      from: { path: '^electron/core/[^/]+/', pathNot: '^electron/core/(handlers|http)/' },
      to: { path: '^electron/core/(index|schema-migrations)\\.ts$' },
    },
    {
      name: 'shared-imports-only-shared',
      severity: 'error',
      comment: 'shared/ is the contract: it imports nothing else of ours.',
      from: { path: '^shared/' },
      to: { path: '^(electron|renderer)/' },
    },
    {
      name: 'core-imports-no-shell',
      severity: 'error',
      comment: 'The core runs under plain Node and knows no transport shell or renderer.',
      from: { path: '^electron/core/' },
      to: { path: '^(electron/(main|preload|headless|cli)|renderer)/' },
    },
    {
      name: 'cli-imports-no-shell',
      severity: 'error',
      comment: 'The CLI is a shell of its own beside main and headless: shared/, the core (lazily), and the headless passphrase prompt only.',
      from: { path: '^electron/cli/' },
      to: { path: '^(electron/(main|preload)|renderer)/' },
    },
    {
      name: 'shells-import-no-renderer',
      severity: 'error',
      from: { path: '^electron/(main|preload|headless)/' },
      to: { path: '^renderer/' },
    },
    {
      name: 'renderer-imports-no-electron-code',
      severity: 'error',
      comment: 'The renderer reaches the core only through its injected api.',
      from: { path: '^renderer/' },
      to: { path: '^electron/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|out|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs'] },
  },
};
