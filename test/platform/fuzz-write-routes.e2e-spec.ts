import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { FORM, formPayloads, payloads } from '../support/hostile-input';
import { startTestApp, TestApp } from '../support/test-app';

interface Schema {
  $ref?: string;
  properties?: Record<string, Schema>;
  allOf?: Schema[];
}
interface Operation {
  requestBody?: { content: Record<string, { schema?: Schema }> };
}

const doc = JSON.parse(readFileSync(join(__dirname, '../../openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

/** The property names a JSON body declares (one level: the fuzz aims at parsing and validation, not at logic). */
function propertiesOf(schema: Schema | undefined, depth = 0): string[] {
  if (!schema || depth > 5) return [];
  if (schema.$ref) return propertiesOf(doc.components.schemas[schema.$ref.split('/').pop()!], depth + 1);
  return [...Object.keys(schema.properties ?? {}), ...(schema.allOf ?? []).flatMap((s) => propertiesOf(s, depth + 1))];
}

const PARAMS: Record<string, string> = { key: 'fuzz-key', version: '1', locale: 'pl' };
const fillPath = (path: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => PARAMS[name] ?? randomUUID());

/**
 * Issue 25, the fault suite: hostile bodies on every write route of the contract (invalid JSON, wrong types, extra
 * and prototype keys, deep nesting, 1 MB strings, NUL, unpaired surrogates, 6 MB bodies). Each must be refused
 * with a 4xx (or, where a body is ignored, answered as usual): not one 5xx.
 */
describe('platform: hostile bodies on every write route', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api', env: { PUBLIC_RATE_LIMIT_PER_MINUTE: '100000' } });
  });

  afterAll(() => t.close());

  it('answers none of them with a 5xx', async () => {
    const failures: string[] = [];
    const dispatcher = new Agent();
    let sent = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!['post', 'put', 'patch', 'delete'].includes(method)) continue;
        const props = propertiesOf(op.requestBody?.content['application/json']?.schema);
        const form = op.requestBody?.content['application/x-www-form-urlencoded'] !== undefined;
        const cases: [string, string, string][] = [
          ...payloads(props).map(([name, body]): [string, string, string] => [name, body, 'application/json']),
          ...(form ? formPayloads(props).map(([name, body]): [string, string, string] => [name, body, FORM]) : []),
        ];
        for (const [name, body, contentType] of cases) {
          const what = `${method.toUpperCase()} ${path}, ${name}`;
          sent += 1;
          try {
            const res = await request(`${t.baseUrl}${fillPath(path)}`, {
              dispatcher,
              method: method.toUpperCase() as 'POST',
              headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': contentType },
              body,
              // A new connection each: one the server closed after a refused body must not carry the next request.
              reset: true,
            });
            await res.body.dump();
            if (res.statusCode >= 500) failures.push(`${what}: ${res.statusCode}`);
          } catch (e) {
            // A body over the limit is answered 413 and the connection closed while the client still sends the
            // rest: a reset is how that shows. Anywhere else a dropped connection is a failure.
            const reset = (e as { cause?: { code?: string } }).cause?.code === 'ECONNRESET';
            if (!(reset && name === '6 MB body')) failures.push(`${what}: ${(e as Error).message}`);
          }
        }
      }
    }
    expect(sent).toBeGreaterThan(1000);
    expect(failures).toEqual([]);
  }, 600_000);
});
