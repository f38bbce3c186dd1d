import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

export type { components, operations, paths };
export type Schemas = components['schemas'];
export type Decision = Schemas['DecisionResponse'];
export type BatchDecision = Schemas['BatchDecisionResponse'];
export type Change = Schemas['Change'];
export type ChangeType = Change['type'];
export type Channel = Schemas['ChangeDecision']['channel'];
export type Problem = Schemas['Problem'];
export type ImportStatus = Schemas['ImportResponse'];
export type ZgodaClient = Client<paths>;

export interface ZgodaClientOptions {
  /** Where the service answers, e.g. `https://zgoda.example.com`. */
  baseUrl: string;
  /** An API key (`zk_...`) with the scopes the calls need. */
  apiKey: string;
  /** A fetch of your own (a proxy agent, a test double); defaults to the global one. */
  fetch?: (input: Request) => Promise<Response>;
}

/**
 * A typed client: `client.GET('/v1/consents/check', { params: { query: { purpose, channel, email } } })`, with
 * paths, parameters, bodies and answers typed from the service's OpenAPI document (`openapi.json`).
 */
export function createZgodaClient({ baseUrl, apiKey, fetch }: ZgodaClientOptions): ZgodaClient {
  const client = createClient<paths>({ baseUrl: baseUrl.replace(/\/+$/, ''), ...(fetch ? { fetch } : {}) });
  client.use({
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${apiKey}`);
      return request;
    },
  });
  return client;
}

/** An error answer of the service (RFC 9457 problem details): `code` is stable, `detail` is for people. */
export class ZgodaProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string | undefined,
    readonly errors: { field: string; message: string }[] = [],
  ) {
    super(`${status} ${code}${detail ? `: ${detail}` : ''}`);
    this.name = 'ZgodaProblem';
  }
}

/** The data of a call, or a `ZgodaProblem` for an error answer. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const p = (result.error ?? {}) as { code?: string; detail?: string; errors?: { field: string; message: string }[] };
    throw new ZgodaProblem(result.response.status, p.code ?? 'unknown', p.detail, p.errors ?? []);
  }
  return result.data as T;
}

/**
 * Reads the change feed from `after` (omitted: from the start) until it is caught up, page by page; each page
 * ends with the cursor to keep for the next run. A mailing tool applies `change.decisions` and stores `next`.
 */
export async function* readChanges(
  client: ZgodaClient,
  options: { after?: string; types?: ChangeType[]; limit?: number } = {},
): AsyncGenerator<{ changes: Change[]; next: string | null }> {
  let after = options.after;
  for (;;) {
    const page = unwrap(
      await client.GET('/v1/changes', {
        params: { query: { after, limit: options.limit ?? 500, types: options.types } },
        querySerializer: { array: { style: 'form', explode: false } },
      }),
    );
    yield page;
    if (!page.changes.length || page.next === null) return;
    after = page.next;
  }
}

/** Parses an NDJSON answer line by line, without holding it whole. */
async function* ndjson<T>(body: ReadableStream<Uint8Array> | null): AsyncGenerator<T> {
  if (!body) return;
  const decoder = new TextDecoder();
  let rest = '';
  const reader = body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const lines = (rest + decoder.decode(value, { stream: true })).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) yield JSON.parse(line) as T;
  }
  rest += decoder.decode();
  if (rest.trim()) yield JSON.parse(rest) as T;
}

/** Everyone who may be contacted now for `purpose` on `channel`, streamed (contacts need subjects:read). */
export async function* audience(
  client: ZgodaClient,
  purpose: string,
  channel: Channel,
): AsyncGenerator<{ subjectId: string; email?: string; phone?: string }> {
  const result = await client.GET('/v1/purposes/{key}/audience', {
    params: { path: { key: purpose }, query: { channel } },
    parseAs: 'stream',
  });
  yield* ndjson(unwrap(result));
}

/**
 * Starts an import, sends its file and waits until it ends (polling every `pollMs`); `onProgress` sees each
 * status. For files of gigabytes use the service's CLI (`npm run import`), which streams from disk.
 */
export async function importFile(
  client: ZgodaClient,
  file: string | Uint8Array | Blob,
  options: Schemas['CreateImportDto'] & { pollMs?: number; onProgress?: (s: ImportStatus) => void } = {},
): Promise<ImportStatus> {
  const { pollMs = 500, onProgress, ...create } = options;
  const created = unwrap(await client.POST('/v1/imports', { body: create }));
  const type = (create.format ?? 'ndjson') === 'csv' ? 'text/csv' : 'application/x-ndjson';
  unwrap(
    await client.PUT('/v1/imports/{id}/file', {
      params: { path: { id: created.id } },
      body: file as string,
      bodySerializer: (b: unknown) => b,
      headers: { 'content-type': type },
    }),
  );
  for (;;) {
    const status = unwrap(await client.GET('/v1/imports/{id}', { params: { path: { id: created.id } } }));
    onProgress?.(status);
    if (status.status !== 'queued' && status.status !== 'running') return status;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
