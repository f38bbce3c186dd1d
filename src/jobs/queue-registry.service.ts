import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { RedisWatch } from '../common/redis/redis-availability';
import { QueueName, QUEUES } from './job.types';

@Injectable()
export class QueueRegistry implements OnModuleInit {
  constructor(private readonly moduleRef: ModuleRef) {}

  /** Every queue's connection errors, logged once per outage (unobserved, BullMQ printed them raw to stderr). */
  onModuleInit(): void {
    const watch = new RedisWatch('queues');
    for (const queue of this.all()) {
      // The queue re-emits its connection's errors; 'ready' comes from the backend that owns the connection.
      queue.on('error', (e: Error) => watch.failed(e));
      queue.getBackend().on('ready', () => watch.recovered());
    }
  }

  get(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }

  all(): Queue[] {
    return QUEUES.map((q) => this.get(q));
  }

  async depths(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const q of this.all()) {
      out[q.name] = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
    }
    return out;
  }
}
