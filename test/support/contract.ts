import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAPIResponseValidator from 'openapi-response-validator';

/*
 * Issue 24 item 4: every response the end-to-end tests receive from an operation of the committed document
 * (openapi.json) is checked against it: the status is one the operation documents, the media type one it declares,
 * the body valid against its schema. A route that starts answering something undocumented fails its test.
 */
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

const doc = JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown>;
};

// Literal paths before templated ones, so /v1/consents/check never matches a {param}.
const routes = Object.keys(doc.paths)
  .map((template) => ({
    template,
    params: (template.match(/\{/g) ?? []).length,
    re: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }))
  .sort((a, b) => a.params - b.params);

const validators = new Map<string, OpenAPIResponseValidator>();
/** One JSON document (`application/json`, `application/problem+json`, ...), not a stream of them (NDJSON). */
const JSON_MEDIA = /^application\/([\w.-]+\+)?json$/;

/** Responses checked in this test process. */
export const contractStats = { checked: 0 };

/** Why this response breaks the committed contract, or null when it keeps it (or its operation is not enforced). */
export function contractViolation(
  method: string,
  url: string,
  status: number,
  contentType: string | null,
  body: unknown,
): string | null {
  const path = url.split('?')[0];
  const route = routes.find((r) => r.re.test(path));
  const name = `${method.toUpperCase()} ${route?.template}`;
  const op = route && doc.paths[route.template][method.toLowerCase()];
  // Not an operation of the contract (the console's pages, an unrouted method): nothing to hold it to.
  if (!op) return null;
  contractStats.checked += 1;
  const documented = op.responses[String(status)] ?? op.responses.default;
  if (!documented) return `${name} answered ${status}, which it does not document`;
  const media = (contentType ?? '').split(';')[0].trim();
  if (!documented.content) return media && status !== 204 ? `${name} ${status}: ${media} is not declared` : null;
  if (!documented.content[media]) return `${name} ${status}: ${media || 'no media type'} is not declared`;
  if (!JSON_MEDIA.test(media)) return null;
  const key = `${name} ${status} ${media}`;
  let validator = validators.get(key);
  if (!validator) {
    validator = new OpenAPIResponseValidator({
      responses: { [String(status)]: { ...documented, content: { 'application/json': documented.content[media] } } },
      components: doc.components,
    } as never);
    validators.set(key, validator);
  }
  const errors = validator.validateResponse(status, body);
  return errors ? `${name} ${status}: ${JSON.stringify(errors.errors).slice(0, 600)}` : null;
}

/**
 * `fetch` for the responses a test reads as bytes or a stream (files, NDJSON, callbacks), held to the same contract
 * as TestApp.request: the status, the media type, and a JSON body against its schema.
 */
export async function checkedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  const media = res.headers.get('content-type');
  const body = JSON_MEDIA.test((media ?? '').split(';')[0].trim())
    ? ((await res.clone().json()) as unknown)
    : undefined;
  const broken = contractViolation(init.method ?? 'GET', new URL(url).pathname, res.status, media, body);
  if (broken) throw new Error(`contract (openapi.json): ${broken}`);
  return res;
}
