import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { addMessages, defineStrings } from './messages';
import { compileTemplate } from './template-environment';

const SRC = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('the one template environment', () => {
  beforeAll(() =>
    addMessages('envtest', defineStrings({ pl: { hello: 'Cześć, {name}' }, en: { hello: 'Hello, {name}' } })),
  );

  it('words a template from the one catalogue in the language of the render (a page’s lang, an e-mail’s locale)', () => {
    const template = compileTemplate('{{t "envtest.hello" name=who}}');
    expect(template({ lang: 'pl', who: 'Ola' })).toBe('Cześć, Ola');
    expect(template({ locale: 'en', who: 'Ola' })).toBe('Hello, Ola');
    expect(() => template({ who: 'Ola' })).toThrow('t helper used without a language');
    expect(() => compileTemplate('{{t "envtest.nope"}}')({ lang: 'pl' })).toThrow('no string envtest.nope');
  });

  it('is strict, and has no log helper a template could write personal data with', () => {
    expect(() => compileTemplate('{{missing}}')({})).toThrow(/"missing" not defined/);
    expect(() => compileTemplate('{{log email}}')({ email: 'ola@example.com' })).toThrow();
    expect(() => compileTemplate('{{shout x}}', { knownHelpersOnly: true })({ x: 1 })).toThrow(/shout/);
  });

  it('is the only one: no module compiles templates elsewhere, but the sandbox for clients’ consent texts', () => {
    // A value import (not `import type`) is what can create or compile: the types are shared freely.
    const own = sources(SRC)
      .filter(
        (f) => !f.endsWith('.spec.ts') && /^import (?!type )[^;]*from 'handlebars'/m.test(readFileSync(f, 'utf8')),
      )
      .map((f) => relative(SRC, f))
      .sort();
    expect(own).toEqual(['consent/consent-template.ts', 'rendering/template-environment.ts']);
  });
});
