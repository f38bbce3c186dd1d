import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The checks `npm run lint` runs on src/, run here on a fixture tree (test/architecture/fixtures/boundaries)
// in which a few files break each rule once and the others keep every rule: each check must name exactly
// the breaking files, so a rule that stops firing, or fires on allowed code, fails this test.
const root = join(__dirname, '..', '..');
const fixture = join(__dirname, 'fixtures', 'boundaries');

function run(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, args, { cwd: fixture, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('module boundaries', () => {
  it('dependency-cruiser refuses another module’s entity and an import the map does not allow', () => {
    const r = run([
      join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'),
      'src',
      '--config',
      '.dependency-cruiser.js',
      '--output-type',
      'json',
    ]);
    // The json reporter exits 0 whatever it found; `npm run lint` uses the err reporter, which exits non-zero.
    const json = JSON.parse(r.out.slice(r.out.indexOf('{'))) as {
      summary: { violations: { rule: { name: string }; from: string; to: string }[] };
    };
    const found = json.summary.violations.map((v) => `${v.rule.name} ${v.from} -> ${v.to}`).sort();
    expect(found).toEqual([
      'module-internals src/crm/contacts.service.ts -> src/shop/order.entity.ts',
      'not-in-allowed src/shop/orders-report.ts -> src/crm/index.ts',
    ]);
  });

  it('the lint rule finds DataSource and EntityManager calls outside repositories, and only there', () => {
    const r = run([
      join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'),
      '--config',
      'eslint.config.js',
      '--format',
      'json',
      'src',
    ]);
    expect(r.status).toBe(1);
    const results = JSON.parse(r.out) as {
      filePath: string;
      messages: { ruleId: string; line: number; message: string }[];
    }[];
    const found = results
      .flatMap((f) =>
        f.messages.map(
          (m) => `${f.filePath.slice(fixture.length + 1)}:${m.line} ${m.ruleId} ${m.message.split(' ')[0]}`,
        ),
      )
      .sort();
    expect(found).toEqual([
      "src/crm/contacts.service.ts:12 zgoda/no-query-outside-repository 'DataSource.query()'",
      "src/crm/contacts.service.ts:13 zgoda/no-query-outside-repository 'EntityManager.count()'",
    ]);
  });

  it('the architecture check finds SQL on another module’s table and a module exporting a repository', () => {
    const r = run([join(root, 'scripts', 'architecture.js'), '--root', '.']);
    expect(r.status).toBe(1);
    const found = r.out
      .split('\n')
      .filter((l) => l.startsWith('architecture: src/'))
      .sort();
    expect(found).toEqual([
      'architecture: src/crm/contacts.repository.ts:8: SQL names orders, a table of the shop module: use its exported service or SQL fragment',
      'architecture: src/crm/crm.module.ts: exports ContactsRepository; a module exports services only',
    ]);
  });
});
