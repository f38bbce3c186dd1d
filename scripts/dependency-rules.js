// The dependency-cruiser rules of issue 12 for a module map (architecture.config.js): `.dependency-cruiser.js`
// applies them to src/, test/architecture to a fixture tree that breaks each one.
'use strict';

/** The rules for a module map; test/architecture runs them on a fixture tree that breaks each one. */
function rulesFor({ kernel, entryPoints, modules }) {
  const KERNEL = `^src/(${kernel.join('|')})/`;
  const ENTRY = `^(${entryPoints.map((p) => p.replace(/[.]/g, '\\.')).join('|')})`;
  const INDEX = '^src/[^/]+/index\\.ts$';

  /** @type {import('dependency-cruiser').IConfiguration} */
  return {
    forbidden: [
      {
        name: 'no-circular',
        comment: 'A cycle between files makes Nest see an undefined class at decoration time; keep the graph a DAG.',
        severity: 'error',
        from: { path: '^src/' },
        to: { circular: true },
      },
      {
        name: 'module-internals',
        comment:
          'Another module is reached only through its index.ts, its public surface: never its entities, repositories or other files. The kernel (common, config) is imported file by file.',
        severity: 'error',
        from: { path: '^src/([^/]+)/', pathNot: '^src/database/entities\\.ts$' },
        to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', KERNEL, INDEX] },
      },
      {
        name: 'entry-points-through-index',
        comment: 'main, worker, bootstrap, the app module and the CLI compose modules through their index.ts too.',
        severity: 'error',
        from: { path: '^src/[^/]+\\.ts$' },
        to: { path: '^src/[^/]+/', pathNot: [KERNEL, INDEX] },
      },
      {
        name: 'own-index',
        comment: "Inside a module, import the file itself: the module's own index would close a cycle.",
        severity: 'error',
        from: { path: '^src/([^/]+)/' },
        to: { path: '^src/$1/index\\.ts$' },
      },
      {
        name: 'index-exposes-internals',
        comment: 'An index exports services, types and pure functions; entities and repositories stay inside.',
        severity: 'error',
        from: { path: INDEX },
        to: { path: '\\.(entity|entities|repository)\\.ts$' },
      },
      {
        name: 'kernel-is-a-leaf',
        comment: 'common and config know no feature module.',
        severity: 'error',
        from: { path: KERNEL },
        to: { path: '^src/', pathNot: KERNEL },
      },
    ],
    allowed: [
      // Packages, Node built-ins, and files outside src (package.json).
      { from: {}, to: { pathNot: '^src/' } },
      { from: { path: '^src/' }, to: { path: KERNEL } },
      { from: { path: ENTRY }, to: { path: '^src/' } },
      // The TypeORM CLI's list of every module's entities.
      { from: { path: '^src/database/entities\\.ts$' }, to: { path: '^src/[^/]+/[^/]+\\.entities\\.ts$' } },
      ...Object.entries(modules).map(([name, m]) => ({
        from: { path: `^src/${name}/` },
        to: { path: `^src/(${[name, ...m.uses].join('|')})/` },
      })),
    ],
    allowedSeverity: 'error',
    options: {
      doNotFollow: { path: 'node_modules' },
      exclude: { path: '\\.spec\\.ts$' },
      tsPreCompilationDeps: true,
      tsConfig: { fileName: 'tsconfig.json' },
      combinedDependencies: false,
      moduleSystems: ['cjs', 'es6'],
    },
  };
}

module.exports = { rulesFor };
