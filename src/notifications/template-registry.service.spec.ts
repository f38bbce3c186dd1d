import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../config/env';
import { EMAIL_LOCALES, TemplateRenderError } from '../rendering';
import {
  EMAIL_PARTS,
  EmailTemplateSet,
  emailTemplateRoots,
  loadEmailTemplates,
  TemplateRegistry,
  UnknownEmailTemplateError,
} from './template-registry.service';

const env = { CONTROLLER_NAME: 'Optyk Wzorcowy sp. z o.o.', PUBLIC_BASE_URL: 'https://zgoda.example.com/' } as Env;
const registry = new TemplateRegistry(env);

/** Template folders as a contributor sees them on disk, found independently of the registry. */
function templateFolders(): { name: string; dir: string }[] {
  return emailTemplateRoots().flatMap((root) =>
    readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('_'))
      .map((e) => ({ name: e.name, dir: join(root, e.name) }))
      .filter(({ dir }) => readdirSync(dir).some((f) => f.endsWith('.hbs'))),
  );
}

const sampleOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'sample.json'), 'utf8')) as Record<string, unknown>;
const POLISH_LETTERS = /[ąćęłńóśźż]/i;

describe('e-mail templates shipped with Zgoda', () => {
  const folders = templateFolders();

  it('include the core templates, and the registry knows exactly the folders on disk', () => {
    expect(registry.names()).toEqual(
      expect.arrayContaining([
        'request-verification',
        'request-received',
        'request-completed',
        'request-rejected',
        'request-extended',
        'consent-confirmation',
        'preferences-link',
        'dpo-digest',
      ]),
    );
    expect(registry.names()).toEqual(folders.map((f) => f.name).sort());
  });

  it.each(folders.map((f) => [f.name, f.dir]))('%s exists in pl and en with all three parts', (_, dir) => {
    for (const locale of EMAIL_LOCALES)
      for (const part of EMAIL_PARTS) expect(existsSync(join(dir, `${locale}.${part}.hbs`))).toBe(true);
  });

  it('every template has a sample model (sample.json beside it, see docs/ARCHITECTURE.md)', () => {
    expect(folders.filter((f) => !existsSync(join(f.dir, 'sample.json'))).map((f) => f.dir)).toEqual([]);
  });

  const withSample = folders.filter((f) => existsSync(join(f.dir, 'sample.json')));
  it.each(withSample.map((f) => [f.name, f.dir]))('%s renders its sample in both languages', (name, dir) => {
    const sample = sampleOf(dir);
    const pl = registry.render(name, 'pl', sample);
    const en = registry.render(name, 'en', sample);
    for (const [locale, r] of [
      ['pl', pl],
      ['en', en],
    ] as const) {
      expect(r.subject).toMatch(/^\S.*\S$/);
      expect(r.subject).not.toMatch(/\n/);
      expect(r.html).toContain(`<html lang="${locale}">`);
      expect(r.html).toContain(`<title>${r.subject.replace(/&/g, '&amp;')}</title>`);
      expect(r.text.trim().length).toBeGreaterThan(20);
      for (const part of [r.subject, r.html, r.text]) expect(part).not.toMatch(/undefined|\[object Object\]|\{\{/);
    }
    expect(pl.text).toMatch(POLISH_LETTERS);
    expect(pl.subject).not.toBe(en.subject);
    expect(pl.text).not.toBe(en.text);
  });
});

describe('what the core templates say', () => {
  const sample = (name: string) => sampleOf(join(__dirname, 'templates', name));

  it('request-rejected tells of the complaint to the President of UODO and of a court (Art. 12(4))', () => {
    const model = { ...sample('request-rejected'), reason: 'Nie udało się potwierdzić tożsamości.' };
    const pl = registry.render('request-rejected', 'pl', model);
    const en = registry.render('request-rejected', 'en', model);
    for (const part of [pl.text, pl.html]) {
      expect(part).toContain('Prezes Urzędu Ochrony Danych Osobowych');
      expect(part).toContain('ul. Stawki 2, 00-193 Warszawa');
      expect(part).toContain('przed sądem');
      expect(part).toContain('art. 12 ust. 4 RODO');
      expect(part).toContain('Nie udało się potwierdzić tożsamości.');
    }
    for (const part of [en.text, en.html]) {
      expect(part).toContain('President of the Personal Data Protection Office');
      expect(part).toContain('ul. Stawki 2, 00-193 Warszawa');
      expect(part).toMatch(/judicial remedy before a court/);
      expect(part).toContain('Article 12(4) GDPR');
    }
  });

  it('request-extended gives the reason and the new due date in the reader’s language', () => {
    const model = { ...sample('request-extended'), newDueDate: '2026-06-02', reason: 'Dane są w archiwum.' };
    const pl = registry.render('request-extended', 'pl', model);
    const en = registry.render('request-extended', 'en', model);
    expect(pl.text).toContain('Nowy termin odpowiedzi: 2 czerwca 2026 r.');
    expect(pl.text).toContain('Dane są w archiwum.');
    expect(pl.text).toContain('art. 12 ust. 3 RODO');
    expect(en.text).toContain('New reply deadline: 2 June 2026');
    expect(en.html).toContain('Dane są w archiwum.');
  });

  it('request-verification names the request type and the validity with Polish plural forms', () => {
    const base = sample('request-verification');
    const text = (expiresMinutes: number, locale: 'pl' | 'en') =>
      registry.render('request-verification', locale, { ...base, expiresMinutes }).text;
    expect(text(1, 'pl')).toContain('ważny przez 1 minutę');
    expect(text(3, 'pl')).toContain('ważny przez 3 minuty');
    expect(text(22, 'pl')).toContain('ważny przez 22 minuty');
    expect(text(30, 'pl')).toContain('ważny przez 30 minut');
    expect(text(1, 'en')).toContain('valid for 1 minute ');
    expect(text(30, 'en')).toContain('valid for 30 minutes');
    expect(text(30, 'pl')).toContain('Rodzaj żądania: dostęp do danych (art. 15 RODO)');
    expect(text(30, 'en')).toContain('Type of request: access to personal data (Art. 15 GDPR)');
  });

  it('request-completed shows the download link only when there is one', () => {
    const base = sample('request-completed');
    const withLink = registry.render('request-completed', 'pl', base);
    expect(withLink.text).toContain(String(base.resultUrl));
    expect(withLink.html).toContain('Pobierz wynik');
    const without = registry.render('request-completed', 'pl', { ...base, resultUrl: null, resultExpiresAt: null });
    expect(without.html).not.toContain('Pobierz wynik');
    expect(without.text).not.toContain('http');
  });

  it('adds the base fields, which the model cannot override', () => {
    const digest = registry.render('dpo-digest', 'en', { ...sample('dpo-digest'), controllerName: 'Someone Else' });
    expect(digest.text).toContain('https://zgoda.example.com/console');
    expect(digest.html).toContain('sent automatically by Optyk Wzorcowy sp. z o.o.');
    expect(digest.html).not.toContain('Someone Else');
  });

  it('escapes model values in HTML, not in the text part, and keeps the subject on one line', () => {
    const model = { ...sample('consent-confirmation'), purposeName: 'Oferty <b>"specjalne"</b> & rabaty' };
    const r = registry.render('consent-confirmation', 'pl', model);
    expect(r.html).toContain('Oferty &lt;b&gt;&quot;specjalne&quot;&lt;/b&gt; &amp; rabaty');
    expect(r.text).toContain('Oferty <b>"specjalne"</b> & rabaty');
    expect(r.html).toContain('href="https://zgoda.example.com/public/consents/confirm?token&#x3D;abc"');
  });
});

describe('strictness', () => {
  const verification = { verifyUrl: 'https://zgoda.example.com/v?t=1', requestType: 'access', expiresMinutes: 30 };

  it('refuses a model without a key a template prints', () => {
    const { verifyUrl: _omit, ...model } = verification;
    expect(() => registry.render('request-verification', 'pl', model)).toThrow(TemplateRenderError);
    expect(() => registry.render('request-verification', 'pl', model)).toThrow(/"verifyUrl"/);
  });

  it('refuses a model without a key used only in a condition (strict mode alone would render a blank)', () => {
    const { resultUrl: _omit, ...model } = {
      requestType: 'access',
      reference: 'r-1',
      resultUrl: null,
      resultExpiresAt: null,
      note: null,
    };
    expect(() => registry.render('request-completed', 'en', model)).toThrow(/"resultUrl"/);
  });

  it('refuses a nested key that is missing', () => {
    expect(() =>
      registry.render('dpo-digest', 'pl', {
        periodFrom: '2026-03-01',
        periodTo: '2026-03-08',
        dueSoonDays: 7,
        counts: {},
      }),
    ).toThrow(TemplateRenderError);
  });

  it('refuses unknown templates, locales and request types', () => {
    expect(() => registry.render('no-such-template', 'pl', {})).toThrow(UnknownEmailTemplateError);
    expect(() => registry.render('request-verification', 'de' as 'pl', verification)).toThrow(
      UnknownEmailTemplateError,
    );
    expect(() => registry.render('request-verification', 'pl', { ...verification, requestType: 'deletion' })).toThrow(
      /unknown request type/,
    );
    expect(() => registry.render('request-verification', 'pl', { ...verification, expiresMinutes: '30' })).toThrow(
      /plural needs a number/,
    );
  });

  it('keeps values out of error messages', () => {
    try {
      registry.render('request-verification', 'pl', { ...verification, requestType: 'jan.kowalski@example.com' });
      throw new Error('rendered');
    } catch (e) {
      expect((e as Error).message).not.toContain('example.com');
    }
  });
});

describe('loading templates from module folders', () => {
  let dir: string;
  const layout = '<html lang="{{locale}}"><title>{{subject}}</title>{{{body}}}</html>';
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const complete = (root: string, name: string) => {
    for (const locale of EMAIL_LOCALES) {
      write(`${root}/${name}/${locale}.subject.hbs`, `${locale} subject {{x}}`);
      write(`${root}/${name}/${locale}.html.hbs`, `<p>${locale} {{x}}</p>`);
      write(`${root}/${name}/${locale}.text.hbs`, `${locale} {{x}}`);
    }
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zgoda-templates-'));
    write('core/_layout/pl.html.hbs', layout);
    write('core/_layout/en.html.hbs', layout);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('discovers <module>/templates/email/<name> in every module folder', () => {
    write('src/notifications/templates/_layout/pl.html.hbs', layout);
    complete('src/breaches/templates/email', 'breach-notice');
    mkdirSync(join(dir, 'src/consent/templates'), { recursive: true });
    const roots = emailTemplateRoots(join(dir, 'src'));
    expect(roots).toContain(join(dir, 'src/breaches/templates/email'));
    expect(roots).not.toContain(join(dir, 'src/consent/templates/email'));
  });

  it('loads complete templates from several roots and skips folders without templates', () => {
    complete('core', 'one');
    complete('module/templates/email', 'two');
    mkdirSync(join(dir, 'module/templates/email/work-in-progress'), { recursive: true });
    const set = new EmailTemplateSet(loadEmailTemplates([join(dir, 'core'), join(dir, 'module/templates/email')]), {
      controllerName: 'C',
      publicBaseUrl: 'http://x',
    });
    expect(set.names()).toEqual(['one', 'two']);
    expect(set.render('two', 'en', { x: 'y' })).toEqual({
      subject: 'en subject y',
      html: '<html lang="en"><title>en subject y</title><p>en y</p></html>',
      text: 'en y',
    });
  });

  it('refuses to start with a missing locale or part, a stray file, a syntax error or a duplicate name', () => {
    complete('core', 'dup');
    complete('module', 'dup');
    complete('core', 'half');
    rmSync(join(dir, 'core/half/en.text.hbs'));
    complete('core', 'stray');
    write('core/stray/de.subject.hbs', 'x');
    complete('core', 'broken');
    write('core/broken/pl.html.hbs', '<p>{{#if x}}</p>');
    complete('core', 'partial');
    write('core/partial/pl.text.hbs', '{{> footer}}');
    let message = '';
    try {
      loadEmailTemplates([join(dir, 'core'), join(dir, 'module')]);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(join(dir, 'core/half/en.text.hbs: missing'));
    expect(message).toContain('core/stray/de.subject.hbs: expected <pl|en>');
    expect(message).toContain(join(dir, 'core/broken/pl.html.hbs'));
    expect(message).toContain('partials and decorators are not supported');
    expect(message).toMatch(/module\/dup: template "dup" is also defined in .*core\/dup/);
  });
});
