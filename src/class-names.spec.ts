import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('exported class names', () => {
  // The OpenAPI document names a body's schema by its class: two DTOs of one name become one schema, and one
  // endpoint is documented with the other's body (POST /v1/audit/verify once showed the portal's { token, lang }).
  it('are unique across the service', () => {
    const seen = new Map<string, string[]>();
    for (const file of sources(__dirname)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^export (?:abstract )?class (\w+)/gm)) {
        seen.set(m[1], [...(seen.get(m[1]) ?? []), relative(__dirname, file)]);
      }
    }
    expect([...seen].filter(([, files]) => files.length > 1)).toEqual([]);
  });
});
