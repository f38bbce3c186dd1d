#!/usr/bin/env node
/* eslint-disable */
// `npm run bench`: starts the built service on a fresh database and measures each scenario next to its
// ceiling in the same run, printing requests/s, p50/p99 latency and the ratio. Scenarios live in
// bench/scenarios/*.js and export { name, setup(ctx), service, ceiling }.
const { execSync, spawn, fork } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { readdirSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { Client } = require('pg');

const root = join(__dirname, '..');
const PG = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const DURATION = Number(process.env.BENCH_SECONDS || 10);
const only = process.argv[2];

function dbUrl(name) {
  const u = new URL(PG);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin(sql) {
  const c = new Client({ connectionString: PG });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

function load(url, opts) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: 50, duration: DURATION, pipelining: 1, ...opts }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

async function startService(env) {
  // BENCH_SERVICE_NODE_ARGS: extra node flags for the service only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS || '').split(' ').filter(Boolean);
  // ZGODA_DIST: a build elsewhere (with NODE_PATH pointing at node_modules), as bench/lib/*.js also honour.
  const dist = process.env.ZGODA_DIST || join(root, 'dist');
  const child = spawn(process.execPath, [...nodeArgs, join(dist, 'src/main.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const deadline = Date.now() + 60_000;
  while (!/listening on [^:]+:(\d+)/.test(stderr)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`service did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url: `http://127.0.0.1:${/listening on [^:]+:(\d+)/.exec(stderr)[1]}` };
}

function startCeiling(routes, databaseUrl) {
  return new Promise((resolve) => {
    // BENCH_CEILING_NODE_ARGS: node flags for the ceiling, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof-ceiling", to
    // compare where its time goes with the service's.
    const execArgv = (process.env.BENCH_CEILING_NODE_ARGS || '').split(' ').filter(Boolean);
    const child = fork(join(__dirname, 'ceiling-server.js'), [], {
      execArgv,
      env: { ...process.env, DATABASE_URL: databaseUrl, CEILING_ROUTES: JSON.stringify(routes) },
    });
    child.on('message', (m) => resolve({ child, url: m.address }));
  });
}

function rssMb(pid) {
  try {
    const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  } catch {
    return NaN;
  }
}

async function main() {
  if (!process.env.BENCH_SKIP_BUILD) execSync('npx nest build', { cwd: root, stdio: 'inherit' });
  const db = `zgoda_bench_${Date.now().toString(36)}`;
  const adminKey = `zk_bench_${randomBytes(18).toString('base64url')}`;
  // What the service and its workers write outside the database (erasure journal, audit checkpoints): in a folder of
  // this run's own, removed at the end, never the repository's var/.
  const outside = mkdtempSync(join(tmpdir(), 'zgoda-bench-'));
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl(db),
    REDIS_PREFIX: `zgoda-bench-${db}`,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_API_KEY: adminKey,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ZGODA_ROLE: 'api',
    DB_POOL_SIZE: '20',
    // The scenarios' data systems are receivers on 127.0.0.1, inside the benchmark (no call leaves the machine).
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    ERASURE_JOURNAL_DIR: join(outside, 'erasure-journal'),
    AUDIT_CHECKPOINT_DIR: join(outside, 'audit-checkpoints'),
  };
  const service = await startService(env);
  // `env`: scenarios that need a worker process start one against the same database and Redis prefix.
  const ctx = {
    serviceUrl: service.url,
    adminKey,
    databaseUrl: env.DATABASE_URL,
    servicePid: service.child.pid,
    rssMb,
    load,
    admin,
    env,
  };
  const results = [];
  try {
    const files = readdirSync(join(__dirname, 'scenarios'))
      .filter((f) => f.endsWith('.js'))
      .sort();
    for (const file of files) {
      const scenario = require(join(__dirname, 'scenarios', file));
      if (only && !scenario.name.includes(only)) continue;
      process.stderr.write(`bench: ${scenario.name} ...\n`);
      let ceiling;
      try {
        const state = scenario.setup ? await scenario.setup(ctx) : {};
        ceiling = await startCeiling(scenario.ceilingRoutes ? scenario.ceilingRoutes(state) : [], env.DATABASE_URL);
        const rows = await scenario.run({ ...ctx, ...state, ceilingUrl: ceiling.url, ceilingPid: ceiling.child.pid });
        results.push(...rows);
      } catch (error) {
        // One broken scenario must not cost the figures of the others: report it in the table and fail the run.
        process.stderr.write(`bench: ${scenario.name} failed: ${error.stack}\n`);
        results.push({
          name: scenario.name,
          service: `FAILED: ${error.message.slice(0, 120)}`,
          ceiling: '',
          ratio: '',
        });
        process.exitCode = 1;
      } finally {
        ceiling?.child.kill('SIGTERM');
      }
    }
  } finally {
    service.child.kill('SIGTERM');
    await new Promise((r) => service.child.on('exit', r));
    // BENCH_KEEP_DB=1: keep the seeded database for EXPLAIN ANALYZE afterwards (drop it by hand).
    if (process.env.BENCH_KEEP_DB) process.stderr.write(`bench: kept database ${db}\n`);
    else await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await dropRedisPrefix(env.REDIS_PREFIX);
    rmSync(outside, { recursive: true, force: true });
  }
  const table = [
    '| scenario | service | ceiling | ratio | notes |',
    '|---|---|---|---|---|',
    ...results.map((r) => `| ${r.name} | ${r.service} | ${r.ceiling} | ${r.ratio} | ${r.notes ?? ''} |`),
  ].join('\n');
  process.stdout.write(`\n${table}\n`);
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'latest.md'), `${new Date().toISOString()}\n\n${table}\n`);
}

/** The run's queues and rate-limit counters: a benchmark leaves nothing behind in Redis either. */
async function dropRedisPrefix(prefix) {
  const IORedis = require('ioredis');
  const redis = new IORedis(process.env.REDIS_URL || 'redis://127.0.0.1:6379', { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Shared by HTTP scenarios: the same autocannon run against service and ceiling, as one table row. */
async function compareHttp(name, service, ceiling, requestOpts = {}) {
  const s = await load(service.url, { headers: service.headers, ...requestOpts });
  const c = await load(ceiling.url, requestOpts);
  const fmt = (r) =>
    `${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}`;
  return {
    name,
    service: fmt(s),
    ceiling: fmt(c),
    ratio: `${((s.requests.average / c.requests.average) * 100).toFixed(0)}%`,
    raw: { s, c },
  };
}
module.exports = { compareHttp };

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`bench failed: ${e.stack}\n`);
    process.exit(1);
  });
}
