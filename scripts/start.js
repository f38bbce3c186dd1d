#!/usr/bin/env node
// `npm start`: build when the sources are newer than the build, then run API and worker in one process
// (migrations are applied at start). Use `npm run start:api` / `npm run start:worker` to scale them apart.
const { spawn } = require('node:child_process');
const { join } = require('node:path');
const { buildIfStale, root } = require('./build-if-stale');

const entry = join(root, 'dist', 'src', process.argv[2] === 'worker' ? 'worker.js' : 'main.js');
buildIfStale(entry);
const child = spawn(process.execPath, [entry], {
  stdio: 'inherit',
  env: { ...process.env, ZGODA_ROLE: process.argv[2] ?? process.env.ZGODA_ROLE ?? 'all' },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
