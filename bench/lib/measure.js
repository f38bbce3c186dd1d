/* eslint-disable */
// Measuring helpers for the consent and subjects scenarios: HTTP load spread over many different
// subjects, the same concurrency run in-process (the "plain SQL from the same process" ceilings),
// repeated one-shot timings, and the table cell format of bench/run.js.

const DURATION = Number(process.env.BENCH_SECONDS || 10);

/** autocannon at 50 connections; every request gets its own path (and body) from `next()`. */
function loadVaried(ctx, url, next, opts = {}) {
  return ctx.load(url, {
    // BENCH_CONNECTIONS: only to look at unloaded latency while investigating; the table uses 50.
    ...(process.env.BENCH_CONNECTIONS ? { connections: Number(process.env.BENCH_CONNECTIONS) } : {}),
    ...opts,
    requests: [
      {
        setupRequest: (req) => {
          const r = next();
          return { ...req, ...r, headers: { ...req.headers, ...(opts.headers || {}), ...(r.headers || {}) } };
        },
      },
    ],
  });
}

/** `op()` from `concurrency` loops at once for the bench duration; latencies in ms. */
async function loadInProcess(op, { concurrency = 50, seconds = DURATION } = {}) {
  const latencies = [];
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const t = process.hrtime.bigint();
        try {
          await op();
        } catch (e) {
          errors += 1;
          if (errors === 1) process.stderr.write(`bench: in-process op failed: ${e.message}\n`);
        }
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: latencies.length / elapsed, ...percentiles(latencies), errors };
}

/** Runs `op()` `warmup + runs` times one after another; wall times of the measured runs, in ms. */
async function timeRuns(op, { runs = 15, warmup = 2 } = {}) {
  const times = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t = process.hrtime.bigint();
    await op(i);
    if (i >= warmup) times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return percentiles(times);
}

function percentiles(values) {
  const s = [...values].sort((a, b) => a - b);
  const at = (q) => (s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN);
  return { p50: at(0.5), p99: at(0.99), max: s[s.length - 1], count: s.length };
}

const ms = (v) => (v < 10 ? v.toFixed(2) : v.toFixed(0));
const fmtHttp = (r) =>
  `${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}${r.errors ? `, ${r.errors} errors` : ''}`;
const fmtLoop = (r) =>
  `${Math.round(r.perSecond)} op/s, p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms${r.errors ? `, ${r.errors} errors` : ''}`;
const fmtRuns = (r) => `p50 ${ms(r.p50)} ms, max ${ms(r.max)} ms (${r.count} runs)`;

/** Distinct random picks from `list`. */
function sample(list, n) {
  const out = new Set();
  n = Math.min(n, list.length);
  while (out.size < n) out.add(list[Math.floor(Math.random() * list.length)]);
  return [...out];
}

const pick = (list) => list[Math.floor(Math.random() * list.length)];

/**
 * A worker process of the built service against the bench's database and Redis prefix, with the
 * scheduled jobs off unless a scenario turns them on; resolves once it says it is running.
 */
async function startWorker(ctx, env = {}) {
  const { spawn } = require('node:child_process');
  const { join } = require('node:path');
  const dist = process.env.ZGODA_DIST || join(__dirname, '../../dist');
  // BENCH_WORKER_NODE_ARGS: extra node flags for the worker only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS || '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(dist, 'src/worker.js')], {
    env: {
      ...process.env,
      ...ctx.env,
      ZGODA_ROLE: 'worker',
      MIGRATIONS_RUN: 'false',
      RETENTION_SWEEP_CRON: 'off',
      RETENTION_CONSENT_EXPIRY_CRON: 'off',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const deadline = Date.now() + 60_000;
  while (!/worker running/.test(stderr)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`worker did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

/** Runs one of the built service's CLIs (dist/src/cli/<name>.js) against the bench's database; its stdout and seconds. */
async function runCli(ctx, name) {
  const { execFile } = require('node:child_process');
  const { join } = require('node:path');
  const dist = process.env.ZGODA_DIST || join(__dirname, '../../dist');
  const started = process.hrtime.bigint();
  const stdout = await new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [join(dist, `src/cli/${name}.js`)],
      { env: { ...process.env, ...ctx.env, MIGRATIONS_RUN: 'false' }, maxBuffer: 1 << 20 },
      (error, out, err) => (error ? reject(new Error(`${name}: ${err || error.message}`)) : resolve(out)),
    ),
  );
  return { stdout, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

module.exports = {
  runCli,
  startWorker,
  loadVaried,
  loadInProcess,
  timeRuns,
  fmtHttp,
  fmtLoop,
  fmtRuns,
  ms,
  sample,
  pick,
  DURATION,
};
