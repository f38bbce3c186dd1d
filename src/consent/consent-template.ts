import Handlebars from 'handlebars';
import { createHash } from 'node:crypto';
import type { Purpose } from './purpose.entity';

/** What a consent text may refer to. Every key is always present (null when unset) for strict mode. */
export interface ConsentTemplateModel {
  controller: { name: string };
  controllerName: string;
  purpose: {
    key: string;
    name: string;
    description: string | null;
    legalBasis: string;
    specialCategoryBasis: string | null;
    dataCategories: string[];
    subjectCategories: string[];
    recipients: string[];
    processors: string[];
    transfers: string[];
    channels: string[];
    minimumAge: number;
    validityDays: number | null;
    retention: string | null;
  };
}

export class TemplateInvalidError extends Error {}

// The one exception to the service's one template environment (rendering/template-environment.ts): consent texts
// are written by API clients, so they get a sandbox with no partials, no custom helpers, and no `log` helper, which
// would let an API client write to the server's console.
const hbs = Handlebars.create();
hbs.unregisterHelper('log');
const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);
const MAX_TEMPLATE_CACHE = 500;
const cache = new Map<string, HandlebarsTemplateDelegate>();

export function templateModel(purpose: Purpose, controllerName: string): ConsentTemplateModel {
  return {
    controller: { name: controllerName },
    controllerName,
    purpose: {
      key: purpose.key,
      name: purpose.name,
      description: purpose.description ?? null,
      legalBasis: purpose.legalBasis,
      specialCategoryBasis: purpose.specialCategoryBasis ?? null,
      dataCategories: purpose.dataCategories,
      subjectCategories: purpose.subjectCategories,
      recipients: purpose.recipients,
      processors: purpose.processors,
      transfers: purpose.transfers,
      channels: purpose.channels,
      minimumAge: purpose.minimumAge,
      validityDays: purpose.validityDays ?? null,
      retention: purpose.retention ?? null,
    },
  };
}

/**
 * Compiles (strict) and renders. Strict mode only catches unknown names in `{{mustaches}}`, not in block
 * parameters (`{{#if purpos.name}}` would silently be false), so every path is also checked against the
 * model before rendering. Values are HTML-escaped: the text is meant to be shown in a page.
 */
export function renderConsentText(source: string, model: ConsentTemplateModel): string {
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (e) {
    throw new TemplateInvalidError(firstLine(e));
  }
  checkProgram(ast, [{ value: model, params: new Map() }], model);
  try {
    return compiled(source)(model);
  } catch (e) {
    throw new TemplateInvalidError(firstLine(e));
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function compiled(source: string): HandlebarsTemplateDelegate {
  let fn = cache.get(source);
  if (!fn) {
    fn = hbs.compile(source, { strict: true, knownHelpersOnly: true, noEscape: false });
    if (cache.size >= MAX_TEMPLATE_CACHE) cache.clear();
    cache.set(source, fn);
  }
  return fn;
}

interface Scope {
  value: unknown;
  params: Map<string, unknown>;
}

const UNKNOWN = Symbol('unknown');

function checkProgram(program: hbs.AST.Program, scopes: Scope[], root: unknown): void {
  for (const node of program.body) checkStatement(node, scopes, root);
}

function checkStatement(node: hbs.AST.Statement, scopes: Scope[], root: unknown): void {
  switch (node.type) {
    case 'ContentStatement':
    case 'CommentStatement':
      return;
    case 'MustacheStatement': {
      const m = node as hbs.AST.MustacheStatement;
      if (m.params.length || m.hash?.pairs.length) {
        checkHelperCall(m.path, m.params, m.hash, scopes, root);
      } else if (m.path.type === 'PathExpression') {
        resolve(m.path as hbs.AST.PathExpression, scopes, root);
      }
      return;
    }
    case 'BlockStatement': {
      const b = node as hbs.AST.BlockStatement;
      const name = b.path.type === 'PathExpression' ? (b.path as hbs.AST.PathExpression).original : '';
      if (!BLOCK_HELPERS.has(name)) throw new TemplateInvalidError(`Only if, unless, each and with blocks are allowed`);
      if (b.params.length !== 1) throw new TemplateInvalidError(`{{#${name}}} takes exactly one parameter`);
      const subject = valueOf(b.params[0], scopes, root);
      let inner = scopes;
      if (name === 'each' || name === 'with') {
        const itemValue = name === 'with' ? subject : Array.isArray(subject) && subject.length ? subject[0] : UNKNOWN;
        const params = new Map<string, unknown>();
        const names = b.program.blockParams ?? [];
        if (names[0]) params.set(names[0], itemValue);
        if (names[1]) params.set(names[1], UNKNOWN);
        inner = [...scopes, { value: itemValue, params }];
      }
      checkProgram(b.program, inner, root);
      if (b.inverse) checkProgram(b.inverse, scopes, root);
      return;
    }
    default:
      // Partials and decorators would pull in text that was never reviewed as part of this version.
      throw new TemplateInvalidError(`${node.type} is not allowed in a consent text`);
  }
}

function checkHelperCall(
  path: hbs.AST.Expression,
  params: hbs.AST.Expression[],
  hash: hbs.AST.Hash | undefined,
  scopes: Scope[],
  root: unknown,
): void {
  const name = path.type === 'PathExpression' ? (path as hbs.AST.PathExpression).original : '';
  if (name !== 'lookup') throw new TemplateInvalidError(`Unknown helper "${name}"`);
  for (const p of params) valueOf(p, scopes, root);
  for (const pair of hash?.pairs ?? []) valueOf(pair.value, scopes, root);
}

function valueOf(expr: hbs.AST.Expression, scopes: Scope[], root: unknown): unknown {
  if (expr.type === 'PathExpression') return resolve(expr as hbs.AST.PathExpression, scopes, root);
  if (expr.type === 'SubExpression') {
    const s = expr as hbs.AST.SubExpression;
    checkHelperCall(s.path, s.params, s.hash, scopes, root);
    return UNKNOWN;
  }
  return (expr as { value?: unknown }).value;
}

function resolve(path: hbs.AST.PathExpression, scopes: Scope[], root: unknown): unknown {
  const parts = [...path.parts];
  let value: unknown;
  if (path.data) {
    const head = parts.shift();
    if (head !== 'root') return UNKNOWN; // @index, @key, @first, @last
    value = root;
  } else if (path.depth === 0 && parts.length && scopes.some((s) => s.params.has(parts[0]))) {
    const head = parts.shift()!;
    value = [...scopes]
      .reverse()
      .find((s) => s.params.has(head))!
      .params.get(head);
  } else {
    const scope = scopes[scopes.length - 1 - path.depth];
    if (!scope) throw new TemplateInvalidError(`"${path.original}" climbs above the template's root`);
    value = scope.value;
  }
  for (const part of parts) {
    if (value === UNKNOWN) return UNKNOWN;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if (!Object.prototype.hasOwnProperty.call(value, part)) {
        throw new TemplateInvalidError(`Unknown variable "${path.original}"`);
      }
      value = (value as Record<string, unknown>)[part];
    } else if (Array.isArray(value) && (part === 'length' || /^\d+$/.test(part))) {
      value = part === 'length' ? value.length : (value[Number(part)] ?? UNKNOWN);
    } else {
      throw new TemplateInvalidError(`Unknown variable "${path.original}"`);
    }
  }
  return value;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e)
    .split('\n')[0]
    .slice(0, 200);
}
