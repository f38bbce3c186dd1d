import { Injectable } from '@nestjs/common';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Env } from '../config/env';
import {
  compileTemplate,
  CompiledTemplate,
  EMAIL_LOCALES,
  EmailLocale,
  parseTemplate,
  safeHtml,
  TEMPLATE_HELPER_NAMES,
  TemplateRenderError,
} from '../rendering';

export const EMAIL_PARTS = ['subject', 'html', 'text'] as const;
export type EmailPart = (typeof EMAIL_PARTS)[number];

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Fields every template may use without the caller passing them. */
export const BASE_MODEL_KEYS = ['controllerName', 'publicBaseUrl', 'locale'] as const;

export class UnknownEmailTemplateError extends Error {}

interface Compiled {
  render: CompiledTemplate;
  /** Top-level model keys the template reads, block parameters included (strict mode does not check those). */
  reads: string[];
}

type LocaleParts = Record<EmailPart, Compiled>;

export interface LoadedTemplates {
  templates: Map<string, { dir: string; parts: Record<EmailLocale, LocaleParts> }>;
  layouts: Record<EmailLocale, Compiled>;
}

// The one environment's helpers (rendering/template-environment.ts): a name among them is a call, not a model key.
const HELPERS = new Set(TEMPLATE_HELPER_NAMES);
const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const FILE = /^([a-z]{2})\.(subject|html|text)\.hbs$/;
export const LAYOUT_DIR = '_layout';

/**
 * Where e-mail templates live: this module's `templates/<name>/`, then every module's
 * `templates/email/<name>/`, so a feature module adds e-mails by dropping files. Resolved from the build
 * folder (`dist/src/...` in production, where nest-cli copies `**\/*.hbs`), never from `src/`.
 */
export function emailTemplateRoots(srcDir = join(__dirname, '..')): string[] {
  const roots = [join(__dirname, 'templates')];
  for (const entry of readdirSync(srcDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name === 'notifications') continue;
    const dir = join(srcDir, entry.name, 'templates', 'email');
    if (existsSync(dir)) roots.push(dir);
  }
  return roots;
}

/** Loads and compiles every template once; the error lists every problem found, not just the first. */
export function loadEmailTemplates(roots: string[], layoutDir = join(roots[0], LAYOUT_DIR)): LoadedTemplates {
  const problems: string[] = [];
  const templates: LoadedTemplates['templates'] = new Map();
  const compileFile = (file: string, part: EmailPart): Compiled | undefined => {
    try {
      const source = readFileSync(file, 'utf8');
      const ast = parseTemplate(source);
      return {
        render: compileTemplate(ast, { knownHelpersOnly: true, noEscape: part !== 'html' }),
        reads: [...rootReads(ast)],
      };
    } catch (e) {
      problems.push(`${file}: ${(e as Error).message.split('\n')[0]}`);
      return undefined;
    }
  };

  const layouts = {} as Record<EmailLocale, Compiled>;
  for (const locale of EMAIL_LOCALES) {
    const file = join(layoutDir, `${locale}.html.hbs`);
    if (!existsSync(file)) problems.push(`${file}: missing layout`);
    else layouts[locale] = compileFile(file, 'html')!;
  }

  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('_')) continue;
      const dir = join(root, entry.name);
      const files = readdirSync(dir).filter((f) => f.endsWith('.hbs'));
      // A folder without any template file is work in progress of another module, not a template yet.
      if (!files.length) continue;
      if (!NAME.test(entry.name)) problems.push(`${dir}: template names are kebab-case`);
      const seen = templates.get(entry.name);
      if (seen) {
        problems.push(`${dir}: template "${entry.name}" is also defined in ${seen.dir}`);
        continue;
      }
      for (const f of files) {
        const m = FILE.exec(f);
        if (!m || !(EMAIL_LOCALES as readonly string[]).includes(m[1]))
          problems.push(`${join(dir, f)}: expected <${EMAIL_LOCALES.join('|')}>.<${EMAIL_PARTS.join('|')}>.hbs`);
      }
      const parts = {} as Record<EmailLocale, LocaleParts>;
      for (const locale of EMAIL_LOCALES) {
        parts[locale] = {} as LocaleParts;
        for (const part of EMAIL_PARTS) {
          const file = join(dir, `${locale}.${part}.hbs`);
          // Every text a person reads exists in Polish and English.
          if (!existsSync(file)) problems.push(`${file}: missing`);
          else parts[locale][part] = compileFile(file, part)!;
        }
      }
      templates.set(entry.name, { dir, parts });
    }
  }
  if (problems.length) throw new Error(`E-mail templates are invalid:\n  - ${problems.join('\n  - ')}`);
  return { templates, layouts };
}

/**
 * Top-level names a template reads. Handlebars' strict mode throws on an unknown `{{name}}`, but not on
 * helper and block parameters: `{{#if resutlUrl}}` would silently hide a download link. So names are
 * collected from the AST and checked against the model before rendering.
 */
function rootReads(program: hbs.AST.Program): Set<string> {
  const names = new Set<string>();
  const expression = (e: hbs.AST.Expression): void => {
    if (e.type === 'PathExpression') {
      const p = e as hbs.AST.PathExpression;
      if (!p.data && p.depth === 0 && p.parts.length) names.add(String(p.parts[0]));
    } else if (e.type === 'SubExpression') call(e as hbs.AST.SubExpression);
  };
  const call = (node: { path: hbs.AST.Expression; params: hbs.AST.Expression[]; hash?: hbs.AST.Hash }): void => {
    const isHelper = node.path.type === 'PathExpression' && HELPERS.has((node.path as hbs.AST.PathExpression).original);
    if (!isHelper) expression(node.path);
    node.params.forEach(expression);
    node.hash?.pairs.forEach((pair) => expression(pair.value));
  };
  const visit = (prog: hbs.AST.Program | undefined, atRoot: boolean): void => {
    for (const statement of prog?.body ?? []) {
      if (statement.type === 'MustacheStatement') {
        if (atRoot) call(statement as hbs.AST.MustacheStatement);
      } else if (statement.type === 'BlockStatement') {
        const block = statement as hbs.AST.BlockStatement;
        if (atRoot) call(block);
        // Inside `each` and `with` names refer to the item, not the model.
        const helper = (block.path as hbs.AST.PathExpression).original;
        const sameContext = helper === 'if' || helper === 'unless';
        visit(block.program, atRoot && sameContext);
        visit(block.inverse, atRoot);
      } else if (statement.type.startsWith('Partial') || statement.type.startsWith('Decorator')) {
        throw new Error('partials and decorators are not supported in e-mail templates');
      }
    }
  };
  visit(program, true);
  return names;
}

/** A compiled set of templates with the base model; `TemplateRegistry` is the application's one. */
export class EmailTemplateSet {
  constructor(
    private readonly loaded: LoadedTemplates,
    private readonly base: { controllerName: string; publicBaseUrl: string },
  ) {}

  has(name: string): boolean {
    return this.loaded.templates.has(name);
  }

  names(): string[] {
    return [...this.loaded.templates.keys()].sort();
  }

  /**
   * Renders the three parts. The base fields (`controllerName`, `publicBaseUrl`, `locale`) are added and
   * win over the model's. Errors name the template and the missing key, never a value.
   */
  render(name: string, locale: EmailLocale, model: Record<string, unknown>): RenderedEmail {
    const template = this.loaded.templates.get(name);
    if (!template) throw new UnknownEmailTemplateError(`unknown e-mail template "${name}"`);
    const parts = template.parts[locale];
    if (!parts) throw new UnknownEmailTemplateError(`e-mail locale "${String(locale)}" is not supported`);
    const data: Record<string, unknown> = { ...model, ...this.base, locale };
    const run = (part: EmailPart | 'layout', compiled: Compiled, context: Record<string, unknown>): string => {
      const missing = compiled.reads.filter((key) => !(key in context));
      if (missing.length)
        throw new TemplateRenderError(
          `${name}/${locale}.${part}: model has no ${missing.map((k) => `"${k}"`).join(', ')}`,
        );
      try {
        return compiled.render(context);
      } catch (e) {
        throw new TemplateRenderError(`${name}/${locale}.${part}: ${(e as Error).message.split('\n')[0]}`);
      }
    };
    // A subject is one header line.
    const subject = run('subject', parts.subject, data).replace(/\s+/g, ' ').trim();
    const body = run('html', parts.html, data);
    const html = run('layout', this.loaded.layouts[locale], { ...data, subject, body: safeHtml(body) });
    const text = run('text', parts.text, data);
    return { subject, html, text };
  }
}

/**
 * The application's e-mail templates, compiled once at start with handlebars `strict: true` and kept. A
 * template missing a locale or a part, or one that does not compile, stops the application from starting.
 */
@Injectable()
export class TemplateRegistry extends EmailTemplateSet {
  constructor(env: Env) {
    super(loadEmailTemplates(emailTemplateRoots()), {
      controllerName: env.CONTROLLER_NAME,
      publicBaseUrl: env.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    });
  }
}
