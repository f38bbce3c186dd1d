/* eslint-disable */
// Calls to the service under benchmark, shared by the scenarios that set up data through the API.

async function call(ctx, method, path, body, key = ctx.adminKey) {
  const res = await fetch(`${ctx.serviceUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A marketing purpose with version 1 of its Polish text published. */
async function purpose(ctx, key, name, channels) {
  await call(ctx, 'POST', '/v1/purposes', {
    key,
    name,
    legalBasis: 'consent',
    dataCategories: ['contact'],
    subjectCategories: ['customers'],
    recipients: [],
    processors: [],
    transfers: [],
    channels,
    marketing: true,
  });
  await call(ctx, 'POST', `/v1/purposes/${key}/texts`, {
    locale: 'pl',
    title: name,
    body: 'Zgoda na {{purpose.name}}.',
  });
  await call(ctx, 'POST', `/v1/purposes/${key}/texts/1/publish`, {});
}

module.exports = { call, purpose };
