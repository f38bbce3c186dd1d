import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';

const root = join(__dirname, '..', '..');
const SPEC = join(root, 'openapi.json');
const SCHEMA = join(root, 'clients', 'typescript', 'src', 'schema.d.ts');
const GENERATOR = join(root, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
const REDOCLY = join(root, 'clients', 'typescript', 'redocly.yaml');

/** The typed client's types, as openapi-typescript makes them from a spec file. */
function generateTypes(specFile: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'zgoda-openapi-'));
  try {
    const out = join(dir, 'schema.d.ts');
    // The flags of clients/typescript's `npm run generate`: a default makes no request field required.
    execFileSync(
      process.execPath,
      [GENERATOR, specFile, '-o', out, '--default-non-nullable', 'false', '--empty-objects-unknown', '-c', REDOCLY],
      { stdio: 'pipe' },
    );
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The contract is committed (`openapi.json`) and the typed client is generated from it
 * (`clients/typescript/src/schema.d.ts`): a change to the API shows up as a reviewed diff of both, never as a
 * client that silently no longer matches. `UPDATE_OPENAPI=1 npx jest test/platform/openapi-committed` rewrites
 * them after an intended change.
 */
describe('platform: the committed OpenAPI document and the client generated from it', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
  });

  afterAll(() => t.close());

  it('is the document the service serves, and the client types are generated from it', async () => {
    const doc = await t.request('GET', '/docs-json', undefined, { key: null });
    expect(doc.status).toBe(200);
    const served = `${JSON.stringify(doc.body, null, 2)}\n`;
    if (process.env.UPDATE_OPENAPI === '1') {
      writeFileSync(SPEC, served);
      writeFileSync(SCHEMA, generateTypes(SPEC));
    }
    // On a mismatch: run the command in the comment above and commit both files with the change.
    expect(readFileSync(SPEC, 'utf8')).toBe(served);
    expect(readFileSync(SCHEMA, 'utf8')).toBe(generateTypes(SPEC));
  });
});
