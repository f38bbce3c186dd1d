#!/usr/bin/env node
// `node scripts/architecture.js [--write] [--root DIR]` (run by `npm run lint`): checks what the import graph
// cannot show. Every table has exactly one owning module (architecture.config.js), which declares its entities
// in `<module>.entities.ts` and registers them with TypeOrmModule.forFeature; SQL text in a module names only
// its own tables; Nest modules export no repositories; services, controllers and repositories stay under
// ~300 lines; and the module table in docs/ARCHITECTURE.md is this map (`--write` regenerates it).
'use strict';
const { existsSync, readdirSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');
const ts = require('typescript');

const args = process.argv.slice(2);
const root = resolve(args.includes('--root') ? args[args.indexOf('--root') + 1] : join(__dirname, '..'));
const write = args.includes('--write');
const { kernel, modules } = require(join(root, 'architecture.config.js'));
const MAX_LINES = 320;
const START = '<!-- module-map:start -->';
const END = '<!-- module-map:end -->';

const problems = [];
const rel = (f) => relative(root, f);

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts')) out.push(path);
  }
  return out;
}

const owner = new Map();
for (const [name, m] of Object.entries(modules)) {
  for (const table of m.tables) {
    if (owner.has(table)) problems.push(`table ${table} is owned by both ${owner.get(table)} and ${name}`);
    owner.set(table, name);
  }
}

// Every table the migrations create has an owner.
for (const file of walk(join(root, 'src', 'database', 'migrations'))) {
  for (const [, table] of readFileSync(file, 'utf8').matchAll(
    /CREATE TABLE (?:IF NOT EXISTS )?"?([a-z_][a-z0-9_]*)/g,
  )) {
    if (!owner.has(table)) problems.push(`${rel(file)}: table ${table} has no owning module in architecture.config.js`);
  }
}

/** The text of every string and template literal, with its line: SQL lives there, never in comments. */
function literals(file, source) {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      found.push({ text: node.text, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { sf, found };
}

const SQL_TABLE = /\b(?:FROM|JOIN|INTO|UPDATE|TABLE|TRUNCATE)\s+(?:ONLY\s+)?"?([a-z_][a-z0-9_]*)"?/g;

for (const [name, m] of Object.entries(modules)) {
  const dir = join(root, 'src', name);
  const files = walk(dir);
  const entityTables = new Map();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    if (name !== 'database' || !file.includes(`${join('database', 'migrations')}`)) {
      for (const { text, line } of literals(file, source).found) {
        for (const [, table] of text.matchAll(SQL_TABLE)) {
          const by = owner.get(table);
          if (by && by !== name)
            problems.push(
              `${rel(file)}:${line}: SQL names ${table}, a table of the ${by} module: use its exported service or SQL fragment`,
            );
        }
      }
    }
    for (const [, table, cls] of source.matchAll(/@Entity\(\{\s*name:\s*'([a-z_]+)'[\s\S]*?export class (\w+)/g)) {
      entityTables.set(cls, { table, file });
      if (owner.get(table) !== name)
        problems.push(`${rel(file)}: entity ${cls} maps ${table}, which ${name} does not own`);
    }
    const base = file.split(/[\\/]/).pop();
    const lines = source.split('\n').length;
    if (/\.(service|controller|repository)\.ts$/.test(base) && lines > MAX_LINES) {
      problems.push(`${rel(file)}: ${lines} lines; split it by topic (about 300 at most)`);
    }
    if (base.endsWith('.module.ts')) {
      const exported = /exports:\s*\[([^\]]*)\]/.exec(source)?.[1] ?? '';
      for (const item of exported
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        if (/Repository$|^TypeOrmModule/.test(item))
          problems.push(`${rel(file)}: exports ${item}; a module exports services only`);
      }
    }
  }
  if (entityTables.size) {
    const listFile = join(dir, `${name}.entities.ts`);
    const list = existsSync(listFile) ? readFileSync(listFile, 'utf8') : '';
    if (!list) problems.push(`src/${name}: has entities but no ${name}.entities.ts`);
    for (const cls of entityTables.keys()) {
      if (list && !new RegExp(`\\b${cls}\\b`).test(list))
        problems.push(`src/${name}/${name}.entities.ts: misses ${cls}`);
    }
    const moduleFiles = files.filter((f) => f.endsWith('.module.ts')).map((f) => readFileSync(f, 'utf8'));
    if (!moduleFiles.some((s) => s.includes('TypeOrmModule.forFeature('))) {
      problems.push(`src/${name}: its module does not register its entities with TypeOrmModule.forFeature`);
    }
  }
  const mapped = new Set([...entityTables.values()].map((e) => e.table));
  for (const table of m.tables) {
    if (name !== 'database' && !mapped.has(table)) problems.push(`src/${name}: owns ${table} but has no entity for it`);
  }
}

/** The exported names of a module's index.ts, for the table's last column. */
function exportsOf(name) {
  const file = join(root, 'src', name, 'index.ts');
  if (!existsSync(file)) return [];
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const names = [];
  for (const stmt of sf.statements) {
    if (ts.isExportDeclaration(stmt) && stmt.exportClause && ts.isNamedExports(stmt.exportClause)) {
      for (const el of stmt.exportClause.elements) {
        if (!(stmt.isTypeOnly || el.isTypeOnly)) names.push(el.name.text);
      }
    }
  }
  return names.filter((n) => /(Service|Module|Hooks|Reader)$|^[A-Z_]+$/.test(n) || /^[A-Z]/.test(n)).sort();
}

function table() {
  const rows = [
    '| module | what it is | owns tables | may use (besides the kernel: ' +
      kernel.join(', ') +
      ') | exports (its `index.ts`) |',
    '|---|---|---|---|---|',
  ];
  for (const [name, m] of Object.entries(modules)) {
    const tables = m.tables.map((t) => `\`${t}\``).join(', ') || '–';
    const ex =
      exportsOf(name)
        .filter((n) => !/^[A-Z_]+$/.test(n) || n.endsWith('_SQL'))
        .map((n) => `\`${n}\``)
        .join(', ') || '–';
    rows.push(`| \`${name}\` | ${m.what} | ${tables} | ${m.uses.join(', ') || '–'} | ${ex} |`);
  }
  return rows.join('\n');
}

const docFile = join(root, 'docs', 'ARCHITECTURE.md');
if (existsSync(docFile)) {
  const doc = readFileSync(docFile, 'utf8');
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  const want = `${START}\n${table()}\n${END}`;
  if (a < 0 || b < 0) problems.push(`docs/ARCHITECTURE.md: no ${START} … ${END} section`);
  else if (doc.slice(a, b + END.length) !== want) {
    if (write) writeFileSync(docFile, doc.slice(0, a) + want + doc.slice(b + END.length));
    else
      problems.push(
        'docs/ARCHITECTURE.md: the module table differs from architecture.config.js (node scripts/architecture.js --write)',
      );
  }
}

if (problems.length) {
  for (const p of problems) process.stderr.write(`architecture: ${p}\n`);
  process.stderr.write(`architecture: ${problems.length} problem(s)\n`);
  process.exit(1);
}
process.stdout.write('architecture: module map, table ownership and SQL text agree\n');
