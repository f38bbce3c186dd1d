import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsentDecision } from '../consent';
import { flatten } from '../rendering';
import { CONSOLE_STRINGS } from './console-strings';

const SRC = join(__dirname, '..');
// The kinds of object audit actions are about (`<kind>.<what happened>`).
const KINDS = [
  'api_key',
  'breach',
  'consent',
  'consent_import',
  'consent_subscription',
  'consent_text',
  'keys',
  'opengdpr',
  'purpose',
  'receipt_key',
  'register',
  'request',
  'request_signing_key',
  'retention',
  'staff_user',
  'subject',
  'system',
];
// Names of that shape that are not audit actions: job names, the consent webhooks' event types, an import mapping's
// target field.
const NOT_ACTIONS = new Set(['retention.run', 'retention.sweep', 'consent.changed', 'consent.feed', 'subject.email']);
// Pages name things by string keys of that shape too: their folders are not where actions are written.
const PAGE_MODULES = new Set(['console', 'portal', 'web']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return dir === SRC && PAGE_MODULES.has(e.name) ? [] : sources(join(dir, e.name));
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [join(dir, e.name)] : [];
  });
}

describe('audit actions in words', () => {
  it('names every action the service writes, in Polish and English (a new one without words fails here)', () => {
    const literal = new RegExp(`'((?:${KINDS.join('|')})\\.[a-z_]+)'`, 'g');
    const written = new Set<string>();
    for (const file of sources(SRC))
      for (const m of readFileSync(file, 'utf8').matchAll(literal)) if (!NOT_ACTIONS.has(m[1])) written.add(m[1]);
    // Written as `consent.${decision}` by the consent writer.
    for (const decision of Object.values(ConsentDecision)) written.add(`consent.${decision}`);
    expect(written.size).toBeGreaterThan(70);
    for (const lang of ['pl', 'en'] as const) {
      const words = flatten(CONSOLE_STRINGS[lang]);
      expect([...written].filter((a) => !words[`auditAction.${a}`])).toEqual([]);
    }
  });
});
