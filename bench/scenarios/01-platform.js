// A representative authenticated GET (API key check, validation, a TypeORM list query, problem filter
// in the path) against a bare Fastify route running the same SQL through pg with a prepared statement.
const { compareHttp } = require('../run');

module.exports = {
  name: 'authenticated list (GET /v1/api-keys?limit=5)',
  ceilingRoutes: () => [
    {
      path: '/ceiling',
      name: 'api_keys_list',
      sql: 'SELECT id, name, prefix, scopes, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt" FROM api_keys ORDER BY created_at DESC, id DESC LIMIT 6',
      wrap: 'items',
    },
    { path: '/static', body: { status: 'ok' } },
  ],
  async run(ctx) {
    const authed = await compareHttp(
      'authenticated list (GET /v1/api-keys?limit=5) vs bare Fastify + same SQL',
      { url: `${ctx.serviceUrl}/v1/api-keys?limit=5`, headers: { authorization: `Bearer ${ctx.adminKey}` } },
      { url: `${ctx.ceilingUrl}/ceiling` },
    );
    const trivial = await compareHttp(
      'trivial route (GET /health/live) vs bare Fastify',
      { url: `${ctx.serviceUrl}/health/live` },
      { url: `${ctx.ceilingUrl}/static` },
    );
    return [authed, trivial];
  },
};
