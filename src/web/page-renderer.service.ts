import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Handlebars, { HelperOptions } from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapePdfMarkup, renderMarkupPdf } from '../common/pdf/markup-pdf';
import { Env } from '../config/env';
import { dateHelper, dateTimeHelper, pluralHelper, requestTypeHelper } from '../notifications';
import { APP_CSS_PATH } from './app-css';
import { CsrfService } from './csrf.service';
import { rememberLang, resolveLang } from './language';
import { Catalogue, flatten, interpolate, PAGE_LANGS, PageLang, parseMessage, WEB_STRINGS } from './web-strings';

export interface NavLink {
  href: string;
  label: string;
  current: boolean;
}

export interface RenderOptions {
  lang: PageLang;
  /** Already in `lang`: the `<title>` and, by convention, the page's `<h1>`. */
  title: string;
  status?: number;
  /** Links in the header (the console's menu); none on the portal. */
  nav?: NavLink[];
  /** A signed-in person: their name and where the logout form posts. */
  account?: { label: string; logoutAction: string } | null;
  /** Wider main column for tables. */
  wide?: boolean;
  /** The customer footer ("the controller of your personal data is ..."); staff pages have none. Default true. */
  customerFooter?: boolean;
  /** Binds the page's CSRF token to a session (defaults to `req.csrfBinding`). */
  csrfBinding?: string;
}

type Compiled = Handlebars.TemplateDelegate;

// src/web → src (dist/src/web → dist/src after the build copies **/*.hbs).
const SRC_ROOT = join(__dirname, '..');

/**
 * Server-side pages: `render(reply, 'portal/status', model, { lang, title })` renders
 * `src/portal/templates/pages/status.hbs` (strict: every key it reads must be in the model, `null` when
 * empty) inside the one layout. Partials in `src/web/templates/partials` are `{{> name}}`, those of a
 * module `{{> module/name}}`. Strings: `{{t "ns.key" var=value}}` from catalogues given to `addStrings`.
 */
@Injectable()
export class PageRenderer {
  private readonly hb = Handlebars.create();
  private readonly views = new Map<string, Compiled>();
  /** `pages/<name>.pdf.hbs`: line markup for PDF documents (common/pdf/markup-pdf.ts), not HTML-escaped. */
  private readonly pdfViews = new Map<string, Compiled>();
  private readonly layout: Compiled;
  private readonly strings: Record<PageLang, Record<string, string>> = { pl: {}, en: {} };
  private readonly companyName: string;
  private readonly logoUrl: string | null;
  private readonly imgSrc: string;

  constructor(
    private readonly env: Env,
    private readonly csrf: CsrfService,
  ) {
    this.companyName = env.WEB_COMPANY_NAME ?? env.CONTROLLER_NAME;
    this.logoUrl = env.WEB_LOGO_URL ?? null;
    const logoOrigin = this.logoUrl && /^https?:/.test(this.logoUrl) ? new URL(this.logoUrl).origin : '';
    this.imgSrc = `'self' data:${logoOrigin ? ` ${logoOrigin}` : ''}`;
    this.registerHelpers();
    this.addStrings('web', WEB_STRINGS);
    this.loadTemplates();
    this.layout = this.views.get('web/_layout')!;
  }

  /** Adds a namespace of strings; both languages must have exactly the same keys. */
  addStrings(namespace: string, catalogue: Catalogue): void {
    const pl = flatten(catalogue.pl, namespace);
    const en = flatten(catalogue.en, namespace);
    const missing = [...Object.keys(pl).filter((k) => !(k in en)), ...Object.keys(en).filter((k) => !(k in pl))];
    if (missing.length) throw new Error(`strings ${namespace}: not in both languages: ${missing.join(', ')}`);
    // Parsed now, so a broken message (an unclosed plural) stops the boot instead of one visitor's page.
    for (const lang of PAGE_LANGS) for (const text of Object.values(lang === 'pl' ? pl : en)) parseMessage(text, lang);
    Object.assign(this.strings.pl, pl);
    Object.assign(this.strings.en, en);
  }

  /** A string for code (titles, flash messages); throws on an unknown key. */
  text(lang: PageLang, key: string, vars: Record<string, unknown> = {}): string {
    const s = this.strings[lang][key];
    if (s === undefined) throw new Error(`no string ${key}`);
    return interpolate(s, vars, lang);
  }

  /** The page language (`?lang=`, form `lang`, cookie, Accept-Language; Polish by default); remembers a choice. */
  lang(req: FastifyRequest, reply: FastifyReply): PageLang {
    rememberLang(req, reply, this.csrf.secureCookies);
    return resolveLang(req);
  }

  /**
   * A document as an A4 PDF in `lang`: `pages/<name>.pdf.hbs` line markup with the pages' strings and helpers.
   * The model's strings are escaped so nothing a person typed can turn into a heading.
   */
  pdf(view: string, model: Record<string, unknown>, lang: PageLang, meta: { title: string; subject: string }) {
    const doc = this.pdfViews.get(view);
    if (!doc) throw new Error(`no PDF template ${view}`);
    const markup = doc({ ...escapePdfMarkup(model), lang, locale: lang, companyName: this.companyName });
    return renderMarkupPdf(
      markup,
      { regular: this.env.PDF_FONT_PATH, bold: this.env.PDF_FONT_BOLD_PATH },
      { ...meta, lang: lang === 'pl' ? 'pl-PL' : 'en-GB' },
    );
  }

  /** Sends a PDF as a download; return the buffer from the controller (`passthrough`). */
  sendPdf(reply: FastifyReply, pdf: Buffer, fileName: string): Buffer {
    void reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="${fileName}"`)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-robots-tag', 'noindex');
    return pdf;
  }

  /** Renders a page and sets status and headers; return the string from the controller (`passthrough`). */
  render(reply: FastifyReply, view: string, model: Record<string, unknown>, opts: RenderOptions): string {
    const page = this.views.get(view);
    if (!page || view.startsWith('web/_')) throw new Error(`no page template ${view}`);
    const req = reply.request;
    const csrf = this.csrf.token(req, reply, opts.csrfBinding);
    const common = { lang: opts.lang, locale: opts.lang, csrf, companyName: this.companyName };
    const body = page({ ...model, ...common });
    const html = this.layout({
      ...common,
      title: opts.title,
      body,
      logoUrl: this.logoUrl,
      cssHref: APP_CSS_PATH,
      nav: opts.nav?.length ? opts.nav : null,
      account: opts.account ?? null,
      wide: opts.wide ?? false,
      customerFooter: opts.customerFooter ?? true,
      langSwitch: this.switchHref(req, opts.lang),
    });
    if (opts.status) void reply.status(opts.status);
    void reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      // Pages carry tokens in their URLs: no Referer leaves them.
      .header('referrer-policy', 'no-referrer')
      .header('x-robots-tag', 'noindex')
      .header(
        'content-security-policy',
        `default-src 'none'; style-src 'self'; img-src ${this.imgSrc}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
      );
    return html;
  }

  /** The same page in the other language; none after a POST (its URL is not a page). */
  private switchHref(req: FastifyRequest, lang: PageLang): string | null {
    if (req.method !== 'GET') return null;
    const url = new URL(req.url, 'http://x');
    url.searchParams.set('lang', lang === 'pl' ? 'en' : 'pl');
    return `${url.pathname}${url.search}`;
  }

  private registerHelpers(): void {
    const strings = this.strings;
    this.hb.registerHelper('t', function (this: unknown, ...args: unknown[]) {
      const options = args.pop() as HelperOptions;
      const lang = (options.data as { root?: { lang?: PageLang } }).root?.lang;
      if (!lang || !PAGE_LANGS.includes(lang)) throw new Error('t helper used without a page language');
      const key = args.map(String).join('.');
      const s = strings[lang][key];
      if (s === undefined) throw new Error(`no string ${key}`);
      return interpolate(s, options.hash as Record<string, unknown>, lang);
    });
    this.hb.registerHelper('date', dateHelper);
    this.hb.registerHelper('dateTime', dateTimeHelper);
    this.hb.registerHelper('plural', pluralHelper);
    this.hb.registerHelper('requestType', requestTypeHelper);
    this.hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    this.hb.registerHelper('not', (a: unknown) => !a);
  }

  /** Every module's pages and partials, compiled at start so a broken template stops the boot, not a visit. */
  private loadTemplates(): void {
    for (const mod of readdirSync(SRC_ROOT)) {
      const base = join(SRC_ROOT, mod, 'templates');
      const partials = join(base, 'partials');
      if (existsSync(partials)) {
        for (const f of readdirSync(partials).filter((n) => n.endsWith('.hbs'))) {
          const name = f.slice(0, -4);
          this.hb.registerPartial(mod === 'web' ? name : `${mod}/${name}`, readFileSync(join(partials, f), 'utf8'));
        }
      }
      const pages = join(base, 'pages');
      if (!existsSync(pages)) continue;
      for (const f of readdirSync(pages).filter((n) => n.endsWith('.hbs'))) {
        const src = readFileSync(join(pages, f), 'utf8');
        this.hb.parse(src);
        if (f.endsWith('.pdf.hbs')) {
          this.pdfViews.set(`${mod}/${f.slice(0, -8)}`, this.hb.compile(src, { strict: true, noEscape: true }));
        } else {
          this.views.set(`${mod}/${f.slice(0, -4)}`, this.hb.compile(src, { strict: true }));
        }
      }
    }
    const layout = join(SRC_ROOT, 'web', 'templates', '_layout.hbs');
    this.views.set('web/_layout', this.hb.compile(readFileSync(layout, 'utf8'), { strict: true }));
  }
}
