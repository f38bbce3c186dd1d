// Builds dist/ only when a source file is newer than `entry` (a built file): `npm start` and the CLIs share it, so a
// CLI run beside a running service uses the build that service runs instead of rebuilding dist/ under it.
const { execSync } = require('node:child_process');
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function buildIfStale(entry) {
  if (!existsSync(entry) || newest(join(root, 'src')) > statSync(entry).mtimeMs) {
    execSync('npx nest build', { stdio: 'inherit', cwd: root });
  }
}

module.exports = { buildIfStale, root };
