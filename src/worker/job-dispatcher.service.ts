import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Job, UnrecoverableError } from 'bullmq';
import { SYSTEM_PRINCIPAL } from '../common/auth/principal';
import { requestContext } from '../common/context/request-context';
import { OutboxService } from '../outbox';
import { JOB_HANDLER_KEY } from '../jobs';
import { JOB_NAMES } from '../jobs';

type Handler = (payload: unknown, job: Job) => Promise<unknown>;

/**
 * Routes every job to its `@JobHandler`; refuses to start when a job name in the catalogue has no handler,
 * two, or a handler names a job the catalogue does not have.
 */
@Injectable()
export class JobDispatcher implements OnModuleInit {
  private readonly logger = new Logger(JobDispatcher.name);
  private readonly handlers = new Map<string, Handler>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly outbox: OutboxService,
  ) {}

  onModuleInit(): void {
    const known = new Set<string>(JOB_NAMES);
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const proto = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const name = this.reflector.get<string | undefined>(JOB_HANDLER_KEY, fn as () => unknown);
        if (!name) continue;
        // The decorator's type already refuses an unknown name; this catches one cast past it.
        if (!known.has(name)) {
          throw new Error(`Handler ${proto.constructor.name}.${method} names an unknown job ${name}`);
        }
        if (this.handlers.has(name)) throw new Error(`Two handlers for job ${name}`);
        this.handlers.set(name, (payload, job) => (fn as Handler).call(instance, payload, job));
      }
    }
    const missing = JOB_NAMES.filter((n) => !this.handlers.has(n));
    if (missing.length) throw new Error(`Jobs without a handler: ${missing.join(', ')}`);
  }

  async dispatch(job: Job): Promise<unknown> {
    return requestContext.run({ correlationId: `job:${job.id}`, principal: SYSTEM_PRINCIPAL }, async () => {
      try {
        // Every name in the catalogue has a handler (checked at start); a job of another name (an older
        // release's, a hand-made one) is dead work, and failing it here is logged and marked like any other.
        const handler = this.handlers.get(job.name);
        if (!handler) throw new UnrecoverableError(`no handler for ${job.name}`);
        const result = await handler(job.data, job);
        if (job.id) await this.outbox.markCompleted(job.id);
        return result;
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : 'error';
        if (job.id) {
          if (error instanceof UnrecoverableError) await this.outbox.markDead(job.id, message);
          else await this.outbox.recordError(job.id, message);
        }
        this.logger.warn({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1, error: message }, 'job failed');
        throw error;
      }
    });
  }
}
