import { INestApplicationContext, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { contractDocument } from './common/openapi/contract';
import helmet from '@fastify/helmet';
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import IORedis from 'ioredis';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { AppModule, Role } from './app.module';
import { requestContext } from './common/context/request-context';
import { registerBodyParsers } from './common/http/body-parsers';
import { registerInputGuard } from './common/http/input-guard';
import { validationPipe } from './common/validation/validation-pipe';
import { ProblemFilter } from './common/problem/problem.filter';
import { Env } from './config/env';
import { maskUrl } from './config/load-env';
import { checkDatabaseReachable } from './database';
import { runMigrations } from './database';
import { mountQueueDashboard } from './worker/index';
import { redisOptionsFromUrl } from './common/redis/redis-connection';
import { MetricsService } from './metrics';
import { ApiKeysService } from './auth';
import { ConsentCheckRoute } from './consent';
import { OPENGDPR_CREATE_ROUTES } from './requests';
import { TASK_RESULT_ROUTE } from './requests';

const CORRELATION = /^[A-Za-z0-9._:-]{1,100}$/;

/** Checks PostgreSQL and Redis before anything else, so a missing service is one clear line, not a stack trace. */
export async function preflight(env: Env): Promise<void> {
  // The owner's URL when there is one: it creates the database on a fresh machine, which the runtime role may not.
  const databaseUrl = env.DATABASE_MIGRATION_URL ?? env.DATABASE_URL;
  try {
    await checkDatabaseReachable(databaseUrl);
  } catch (e) {
    throw new Error(
      `Cannot reach PostgreSQL at ${maskUrl(databaseUrl)} (${(e as Error).message}). Start it, e.g. \`scripts/services.sh\` or \`pg_ctlcluster --skip-systemctl-redirect 15 main start\`.`,
    );
  }
  const redis = new IORedis({
    ...redisOptionsFromUrl(env.REDIS_URL),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // Safe to ignore here: the same failure rejects connect() below, which stops the start with a clear message.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(
      `Cannot reach Redis at ${maskUrl(env.REDIS_URL)} (${(e as Error).message}). Start it, e.g. \`scripts/services.sh\` or \`redis-server --daemonize yes\`.`,
    );
  } finally {
    redis.disconnect();
  }
}

export async function prepare(env: Env): Promise<void> {
  await preflight(env);
  if (env.MIGRATIONS_RUN)
    await runMigrations(env.DATABASE_MIGRATION_URL ?? env.DATABASE_URL, env.DATABASE_RUNTIME_ROLE);
}

const HELMET_OPTIONS = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      scriptSrc: ["'self'", "'unsafe-inline'"],
    },
  },
};

/**
 * The headers @fastify/helmet sets with our options, worked out once at start. The plugin rebuilds the
 * whole helmet middleware (CSP parsing included) on every request although the result never varies.
 */
export async function securityHeaders(): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false });
  await probe.register(helmet as never, HELMET_OPTIONS);
  probe.get('/', () => '');
  const res = await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  const skip = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);
  return Object.fromEntries(
    Object.entries(res.headers)
      .filter(([name]) => !skip.has(name))
      .map(([name, value]) => [name, String(value)]),
  );
}

export async function createHttpApp(env: Env, role: Exclude<Role, 'worker'>): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: env.BODY_LIMIT_BYTES,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-correlation-id'];
      return typeof given === 'string' && CORRELATION.test(given) ? given : randomUUID();
    },
    logger: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRole(env, role), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(validationPipe);
  app.useGlobalFilters(new ProblemFilter());

  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(MetricsService);
  const security = Object.entries(await securityHeaders());
  await app.register(cookie as never);
  registerInputGuard(fastify);
  const keys = app.get(ApiKeysService);
  app.get(ConsentCheckRoute).attach(fastify, (req) => keys.principalOf(req));
  fastify.addHook('onRequest', (req, reply, done) => {
    // Set on the raw response as @fastify/helmet does, so hijacked (streamed) replies carry them too.
    for (const [name, value] of security) reply.raw.setHeader(name, value);
    // Most answers carry personal data (decrypted identifiers, consent histories); no cache may keep one.
    // A route that serves something cacheable (page assets) sets its own header, which wins.
    reply.raw.setHeader('cache-control', 'no-store');
    void reply.header('x-correlation-id', req.id);
    requestContext.run({ correlationId: String(req.id) }, done);
  });
  // The access log names the route template, never the URL: ids, tokens and e-mails travel in paths and
  // query strings, and a log must not become a second register of who asked for what.
  const accessLog = new NestLogger('http');
  const logRequests = ['trace', 'debug', 'info'].includes(env.LOG_LEVEL);
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    if (logRequests && route !== '/metrics' && !route.startsWith('/health')) {
      accessLog.log({
        msg: 'request completed',
        correlationId: req.id,
        method: req.method,
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      });
    }
    done();
  });

  await mountQueueDashboard(app);

  if (env.DOCS_ENABLED) {
    SwaggerModule.setup('docs', app, contractDocument(app), { jsonDocumentUrl: 'docs-json' });
  }

  // Nest adds its JSON and urlencoded parsers during init, so ours go in after it (listen() skips a
  // second init).
  await app.init();
  registerBodyParsers(fastify, {
    // Signatures cover the bytes sent: task results from data systems, OpenGDPR requests.
    rawBodyRoutes: [TASK_RESULT_ROUTE, ...OPENGDPR_CREATE_ROUTES],
    lenientJsonRoutes: OPENGDPR_CREATE_ROUTES,
    limit: env.BODY_LIMIT_BYTES,
  });
  return app;
}

export async function createWorkerContext(env: Env): Promise<INestApplicationContext> {
  const ctx = await NestFactory.createApplicationContext(AppModule.forRole(env, 'worker'), {
    bufferLogs: true,
    abortOnError: false,
  });
  ctx.useLogger(ctx.get(Logger));
  return ctx;
}

/**
 * Graceful stop on SIGTERM/SIGINT: Nest's own shutdown hooks re-raise the signal after closing, which makes
 * the exit status "killed by signal" and process managers count a clean stop as a crash. Closing the app
 * lets in-flight HTTP requests and jobs finish (Fastify close, BullMQ worker close) before exit 0.
 */
export function stopGracefullyOnSignals(closable: { close(): Promise<void> }, graceMs = 30_000): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`zgoda: ${signal} received, finishing in-flight work\n`);
    const force = setTimeout(() => {
      process.stderr.write('zgoda: shutdown took too long, exiting\n');
      process.exit(1);
    }, graceMs);
    force.unref();
    closable
      .close()
      .then(() => process.exit(0))
      .catch((error: Error) => {
        process.stderr.write(`zgoda: shutdown failed: ${error.message}\n`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
