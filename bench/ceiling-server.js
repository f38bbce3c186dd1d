// The ceiling: a bare Fastify route (no NestJS, no auth, no validation) answering the same JSON as the
// service's route, optionally running the same SQL through `pg` with a named prepared statement.
const Fastify = require('fastify');
const { Pool } = require('pg');

const pool = process.env.DATABASE_URL ? new Pool({ connectionString: process.env.DATABASE_URL, max: 20 }) : null;
const app = Fastify({ logger: false });
const scenarios = JSON.parse(process.env.CEILING_ROUTES || '[]');

for (const s of scenarios) {
  app.get(s.path, async (req) => {
    if (!s.sql) return s.body;
    // '$query': the `v` query parameter; '$queryList': the same as a one-element array (for `= ANY($n)`).
    const params = (s.params || []).map((p) => (p === '$query' ? req.query.v : p === '$queryList' ? [req.query.v] : p));
    const { rows } = await pool.query({ name: s.name, text: s.sql, values: params });
    return s.wrap === 'items' ? { items: rows, nextCursor: null } : rows[0] ?? null;
  });
}

app.listen({ port: 0, host: '127.0.0.1' }).then((address) => process.send?.({ address }));
process.on('SIGTERM', () => app.close().then(() => pool?.end()).then(() => process.exit(0)));
