const { readdirSync, readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

// NestJS 12 and a growing number of libraries ship ESM only. Node 20 can require() them, but Jest's own
// module loader on Node < 24.9 cannot, so every ESM package is compiled to CommonJS by SWC like our code.
function esmPackages(dir = join(__dirname, 'node_modules')) {
  const found = [];
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    if (name.startsWith('.')) continue;
    const names = name.startsWith('@') ? readdirSync(join(dir, name)).map((n) => `${name}/${n}`) : [name];
    for (const pkg of names) {
      try {
        const json = JSON.parse(readFileSync(join(dir, pkg, 'package.json'), 'utf8'));
        if (json.type === 'module') found.push(pkg);
      } catch {
        // not a package folder
      }
    }
  }
  return found;
}

const DYNAMIC_IMPORTERS = ['@fastify/cookie'];
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // CommonJS packages that load dependencies with a dynamic import() need the same treatment.
  transformIgnorePatterns: [`/node_modules/(?!(${[...esmPackages(), ...DYNAMIC_IMPORTERS].map(escape).join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
