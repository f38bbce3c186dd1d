#!/usr/bin/env node
// `npm run <command> -- [args]`: runs dist/src/cli/<name>.js with the arguments given, building first only when the
// sources are newer than the build (scripts/build-if-stale.js).
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { buildIfStale, root } = require('./build-if-stale');

const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z-]+$/.test(name)) {
  process.stderr.write('usage: node scripts/cli.js <cli name> [args]\n');
  process.exit(2);
}
if (!existsSync(join(root, 'src', 'cli', `${name}.ts`))) {
  process.stderr.write(`no command ${name} in src/cli\n`);
  process.exit(2);
}
const entry = join(root, 'dist', 'src', 'cli', `${name}.js`);
buildIfStale(entry);
const child = spawn(process.execPath, [entry, ...args], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
