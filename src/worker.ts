import 'reflect-metadata';
import { createWorkerContext, prepare, stopGracefullyOnSignals } from './bootstrap';
import { loadEnv } from './config/load-env';

/** Worker entry point: BullMQ consumers, job schedulers, the outbox relay and reconciler. No HTTP. */
async function main(): Promise<void> {
  const env = loadEnv();
  await prepare(env);
  stopGracefullyOnSignals(await createWorkerContext(env));
  process.stderr.write('zgoda: worker running\n');
}

main().catch((error: Error) => {
  process.stderr.write(`zgoda: ${error.message}\n`);
  process.exit(1);
});
