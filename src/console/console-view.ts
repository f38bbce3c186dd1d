import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasScope, Scope } from '../common/auth/scopes';
import { PageRenderer } from '../web';
import { hasMessage, PageLang } from '../rendering';
import { CONSOLE_STRINGS } from './console-strings';

const MENU: { href: string; key: string; scope: Scope }[] = [
  { href: '/console/requests', key: 'requests', scope: 'requests:read' },
  { href: '/console/consents', key: 'consents', scope: 'consent:read' },
  { href: '/console/audit', key: 'audit', scope: 'audit:read' },
  { href: '/console/register', key: 'register', scope: 'register:read' },
  { href: '/console/breaches', key: 'breaches', scope: 'breaches:manage' },
  { href: '/console/imports', key: 'imports', scope: 'imports:write' },
  { href: '/console/retention', key: 'retention', scope: 'retention:manage' },
  { href: '/console/keys', key: 'keys', scope: 'keys:manage' },
  { href: '/console/users', key: 'users', scope: 'users:manage' },
];

export const may = (req: FastifyRequest, scope: Scope) => hasScope(req.principal?.scopes ?? [], [scope]);

/** The console's page frame: the menu the role may use, the account box, flash notices. */
@Injectable()
export class ConsoleView {
  constructor(readonly pages: PageRenderer) {
    pages.addStrings('console', CONSOLE_STRINGS);
  }

  lang(req: FastifyRequest, reply: FastifyReply): PageLang {
    return this.pages.lang(req, reply);
  }

  t(lang: PageLang, key: string, vars: Record<string, unknown> = {}): string {
    return this.pages.text(lang, `console.${key}`, vars);
  }

  /** The first page this role may open: requests for most, consents for marketing. */
  home(req: FastifyRequest): string {
    return MENU.find((m) => may(req, m.scope))?.href ?? '/console/account';
  }

  render(
    req: FastifyRequest,
    reply: FastifyReply,
    page: string,
    model: Record<string, unknown>,
    opts: { lang: PageLang; title: string; wide?: boolean; status?: number },
  ): string {
    const q = req.query as Record<string, unknown>;
    const notice = typeof q.notice === 'string' && /^[a-z]{1,20}$/.test(q.notice) ? q.notice : null;
    const problem = typeof q.problem === 'string' && /^[a-z_]{1,40}$/.test(q.problem) ? q.problem : null;
    const path = req.url.split('?')[0];
    const nav = (req.staffSession ? [...MENU.filter((m) => may(req, m.scope))] : []).concat(
      req.staffSession ? [{ href: '/console/account', key: 'account', scope: 'admin' as Scope }] : [],
    );
    const links = nav.map((m) => ({
      href: m.href,
      label: this.t(opts.lang, `nav.${m.key}`),
      current: path.startsWith(m.href),
    }));
    const role = req.staffSession?.session.role;
    return this.pages.render(
      reply,
      `console/${page}`,
      {
        ...model,
        notice: notice ? this.textOrNull(opts.lang, `notice.${notice}`) : null,
        problem: problem
          ? (this.textOrNull(opts.lang, `problem.${problem}`) ?? this.t(opts.lang, 'problem.other', { code: problem }))
          : null,
      },
      {
        lang: opts.lang,
        title: opts.title,
        nav: links,
        account: role ? { label: this.t(opts.lang, `role.${role}`), logoutAction: '/console/logout' } : null,
        wide: opts.wide ?? true,
        status: opts.status,
        customerFooter: false,
      },
    );
  }

  /** The console string, or null when the catalogue has none for this key (a code without words of its own). */
  textOrNull(lang: PageLang, key: string): string | null {
    return hasMessage(lang, `console.${key}`) ? this.t(lang, key) : null;
  }
}

/** 303 to a console page after a form post (Post/Redirect/Get), with a notice or a problem code. */
export function redirect(reply: FastifyReply, to: string): void {
  void reply.status(303).header('location', to).send();
}
