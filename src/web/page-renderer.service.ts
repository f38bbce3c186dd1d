import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapePdfMarkup, renderMarkupPdf } from '../common/pdf/markup-pdf';
import { Env } from '../config/env';
import {
  addMessages,
  Catalogue,
  compileTemplate,
  CompiledTemplate,
  message,
  PageLang,
  parseTemplate,
  registerPartial,
} from '../rendering';
import { APP_CSS_PATH } from './app-css';
import { CsrfService } from './csrf.service';
import { rememberLang, resolveLang } from './language';
import { WEB_STRINGS } from './web-strings';

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

type Compiled = CompiledTemplate;

// src/web → src (dist/src/web → dist/src after the build copies **/*.hbs).
const SRC_ROOT = join(__dirname, '..');

/**
 * Server-side pages: `render(reply, 'portal/status', model, { lang, title })` renders
 * `src/portal/templates/pages/status.hbs` (strict: every key it reads must be in the model, `null` when
 * empty) inside the one layout, in the service's one template environment (rendering/template-environment.ts).
 * Partials in `src/web/templates/partials` are `{{> name}}`, those of a module `{{> module/name}}`. Strings:
 * `{{t "ns.key" var=value}}` from the one catalogue (namespaces added with `addStrings`).
 */
@Injectable()
export class PageRenderer {
  private readonly views = new Map<string, Compiled>();
  /** `pages/<name>.pdf.hbs`: line markup for PDF documents (common/pdf/markup-pdf.ts), not HTML-escaped. */
  private readonly pdfViews = new Map<string, Compiled>();
  private readonly layout: Compiled;
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
    this.addStrings('web', WEB_STRINGS);
    this.loadTemplates();
    this.layout = this.views.get('web/_layout')!;
  }

  /** Adds a namespace of strings to the one catalogue; both languages must have exactly the same keys. */
  addStrings(namespace: string, catalogue: Catalogue): void {
    addMessages(namespace, catalogue);
  }

  /** A string for code (titles, flash messages); throws on an unknown key. */
  text(lang: PageLang, key: string, vars: Record<string, unknown> = {}): string {
    return message(lang, key, vars);
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

  /** Every module's pages and partials, compiled at start so a broken template stops the boot, not a visit. */
  private loadTemplates(): void {
    for (const mod of readdirSync(SRC_ROOT)) {
      const base = join(SRC_ROOT, mod, 'templates');
      const partials = join(base, 'partials');
      if (existsSync(partials)) {
        for (const f of readdirSync(partials).filter((n) => n.endsWith('.hbs'))) {
          const name = f.slice(0, -4);
          registerPartial(mod === 'web' ? name : `${mod}/${name}`, readFileSync(join(partials, f), 'utf8'));
        }
      }
      const pages = join(base, 'pages');
      if (!existsSync(pages)) continue;
      for (const f of readdirSync(pages).filter((n) => n.endsWith('.hbs'))) {
        const src = readFileSync(join(pages, f), 'utf8');
        parseTemplate(src);
        if (f.endsWith('.pdf.hbs')) {
          this.pdfViews.set(`${mod}/${f.slice(0, -8)}`, compileTemplate(src, { noEscape: true }));
        } else {
          this.views.set(`${mod}/${f.slice(0, -4)}`, compileTemplate(src));
        }
      }
    }
    const layout = join(SRC_ROOT, 'web', 'templates', '_layout.hbs');
    this.views.set('web/_layout', compileTemplate(readFileSync(layout, 'utf8')));
  }
}
