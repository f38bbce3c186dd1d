// The consent decision, the hot path: GET /v1/consents/check for a subject with a current grant, against
// a bare Fastify route running the projection query through pg. The service also checks the API key,
// resolves merged ids and reads the subject facts (in parallel with the projection).
const { compareHttp } = require('../run');

async function call(ctx, method, path, body) {
  const res = await fetch(`${ctx.serviceUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ctx.adminKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

module.exports = {
  name: 'consent decision (GET /v1/consents/check)',
  async setup(ctx) {
    const key = 'bench-newsletter';
    await call(ctx, 'POST', '/v1/purposes', {
      key,
      name: 'Newsletter',
      legalBasis: 'consent',
      dataCategories: ['contact'],
      subjectCategories: ['customers'],
      recipients: [],
      processors: [],
      transfers: [],
      channels: ['email'],
      marketing: true,
    });
    await call(ctx, 'POST', `/v1/purposes/${key}/texts`, {
      locale: 'pl',
      title: 'Newsletter',
      body: '{{purpose.name}}',
    });
    await call(ctx, 'POST', `/v1/purposes/${key}/texts/1/publish`, {});
    const subject = await call(ctx, 'POST', '/v1/subjects', { externalId: 'bench-subject-1' });
    await call(ctx, 'POST', `/v1/subjects/${subject.id}/consents`, {
      purpose: key,
      channel: 'email',
      version: 1,
      locale: 'pl',
      decision: 'granted',
      source: { method: 'api' },
    });
    return { key, subjectId: subject.id };
  },
  ceilingRoutes: (state) => [
    {
      path: '/ceiling',
      name: 'consent_decision',
      sql: `SELECT p.legal_basis, p.marketing, s.status, s.event_id, s.version, s.granted_at, s.expires_at
              FROM purposes p
              LEFT JOIN consent_state s ON s.purpose_key = p.key AND s.subject_id = ANY($2::uuid[])
             WHERE p.key = $1`,
      params: [state.key, [state.subjectId]],
    },
  ],
  async run(ctx) {
    return [
      await compareHttp(
        'consent decision (GET /v1/consents/check) vs bare Fastify + the projection query',
        {
          url: `${ctx.serviceUrl}/v1/consents/check?purpose=${ctx.key}&channel=email&subjectId=${ctx.subjectId}`,
          headers: { authorization: `Bearer ${ctx.adminKey}` },
        },
        { url: `${ctx.ceilingUrl}/ceiling` },
      ),
    ];
  },
};
