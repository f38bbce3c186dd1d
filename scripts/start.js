#!/usr/bin/env node
// `npm start`: build when the sources are newer than the build, then run API and worker in one process
// (migrations are applied at start). Use `npm run start:api` / `npm run start:worker` to scale them apart.
const { execSync, spawn } = require('node:child_process');
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const entry = join(__dirname, '..', 'dist', 'src', process.argv[2] === 'worker' ? 'worker.js' : 'main.js');
if (!existsSync(entry) || newest(join(__dirname, '..', 'src')) > statSync(entry).mtimeMs) {
  execSync('npx nest build', { stdio: 'inherit', cwd: join(__dirname, '..') });
}
const child = spawn(process.execPath, [entry], { stdio: 'inherit', env: { ...process.env, ZGODA_ROLE: process.argv[2] ?? process.env.ZGODA_ROLE ?? 'all' } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
