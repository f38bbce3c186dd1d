// Issue 25 item 14: does memory level off under load? Rounds of requests in the API's everyday mix (a consent
// check, an authenticated list, a subject created, a consent granted), with a worker relaying and running the jobs
// they cause; the RSS of API and worker after each round, once the load has stopped. The ceiling: the bare Fastify
// server through the same rounds of its static route (what the runtime itself grows by).
// BENCH_SOAK_ROUNDS (5) x BENCH_SOAK_REQUESTS (10,000): 50,000 requests.
const { randomBytes } = require('node:crypto');
const { call, purpose } = require('../lib/api');
const { startWorker } = require('../lib/measure');

const ROUNDS = Number(process.env.BENCH_SOAK_ROUNDS || 5);
const PER_ROUND = Number(process.env.BENCH_SOAK_REQUESTS || 10_000);
const settle = () => new Promise((r) => setTimeout(r, 1500));

function round(ctx, url, requests, headers) {
  // `amount` ends the run: the run's own duration is only a bound.
  return ctx.load(url, {
    amount: PER_ROUND,
    duration: 600,
    connections: 20,
    headers,
    ...(requests ? { requests } : {}),
  });
}

module.exports = {
  name: 'memory soak',
  ceilingRoutes: () => [{ path: '/static', body: { status: 'ok' } }],
  async setup(ctx) {
    const key = `soak-${randomBytes(3).toString('hex')}`;
    await purpose(ctx, key, 'Soak', ['email']);
    const subject = await call(ctx, 'POST', '/v1/subjects', {
      email: `soak.${randomBytes(4).toString('hex')}@example.com`,
    });
    return { purpose: key, subjectId: subject.id };
  },
  async run(ctx) {
    const worker = await startWorker(ctx);
    const grant = {
      purpose: ctx.purpose,
      channel: 'email',
      decision: 'granted',
      version: 1,
      locale: 'pl',
      source: { method: 'web', location: 'newsletter-form' },
    };
    const mix = [
      { method: 'GET', path: `/v1/consents/check?subjectId=${ctx.subjectId}&purpose=${ctx.purpose}&channel=email` },
      { method: 'GET', path: '/v1/api-keys?limit=5' },
      {
        method: 'POST',
        path: '/v1/subjects',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ email: `s.${randomBytes(6).toString('hex')}@example.com` }),
        }),
      },
      {
        method: 'POST',
        path: `/v1/subjects/${ctx.subjectId}/consents`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(grant),
      },
    ];
    const auth = { authorization: `Bearer ${ctx.adminKey}` };
    const service = { api: [ctx.rssMb(ctx.servicePid)], worker: [ctx.rssMb(worker.pid)], errors: 0 };
    const ceiling = [ctx.rssMb(ctx.ceilingPid)];
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const s = await round(ctx, ctx.serviceUrl, mix, auth);
        service.errors += s.non2xx + s.errors;
        await settle();
        service.api.push(ctx.rssMb(ctx.servicePid));
        service.worker.push(ctx.rssMb(worker.pid));
        await round(ctx, `${ctx.ceilingUrl}/static`, undefined, {});
        await settle();
        ceiling.push(ctx.rssMb(ctx.ceilingPid));
      }
    } finally {
      worker.kill('SIGTERM');
    }
    const mb = (xs) => xs.map((x) => Math.round(x)).join(' → ');
    // Levelled off: the last round added less than 2% to what the process held.
    const last = (xs) => xs[xs.length - 1] - xs[xs.length - 2];
    const levelled = (xs) => last(xs) < 0.02 * xs[xs.length - 1];
    return [
      {
        name: `memory soak: RSS (MB) at start and after each of ${ROUNDS} rounds of ${PER_ROUND.toLocaleString('en')} requests (check, list, create subject, grant)`,
        service: `API ${mb(service.api)}; worker ${mb(service.worker)}${service.errors ? `; ${service.errors} non-2xx` : ''}`,
        ceiling: `bare Fastify ${mb(ceiling)}`,
        ratio: `last round +${Math.round(last(service.api))} MB API, +${Math.round(last(service.worker))} MB worker`,
        notes: `levels off (last round < 2%): API ${levelled(service.api) ? 'yes' : 'NO'}, worker ${levelled(service.worker) ? 'yes' : 'NO'}`,
      },
    ];
  },
};
