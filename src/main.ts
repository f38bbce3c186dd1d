import 'reflect-metadata';
import { createHttpApp, createWorkerContext, prepare, stopGracefullyOnSignals } from './bootstrap';
import { loadEnv } from './config/load-env';

/** HTTP API entry point. ZGODA_ROLE=all (the default) also runs the worker in this process. */
async function main(): Promise<void> {
  const env = loadEnv();
  await prepare(env);
  if (env.ZGODA_ROLE === 'worker') {
    stopGracefullyOnSignals(await createWorkerContext(env));
    return;
  }
  const app = await createHttpApp(env, env.ZGODA_ROLE);
  stopGracefullyOnSignals(app);
  await app.listen(env.PORT, env.HOST);
  // With PORT=0 the system picks the port: say which one, so scripts and tests can find the service.
  const address = app.getHttpServer().address();
  const port = address && typeof address === 'object' ? address.port : env.PORT;
  process.stderr.write(
    `zgoda: ${env.ZGODA_ROLE === 'all' ? 'API and worker' : 'API'} listening on ${env.HOST}:${port}\n`,
  );
}

main().catch((error: Error) => {
  process.stderr.write(`zgoda: ${error.message}\n`);
  process.exit(1);
});
