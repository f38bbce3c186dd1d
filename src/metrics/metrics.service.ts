import { Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { QueueRegistry } from '../jobs';
import { OutboxService } from '../outbox';

// Within a Prometheus scrape timeout (10 s by default) with room to spare, and long enough for a healthy Redis.
const COLLECT_DEADLINE_MS = 1_500;

/** One registry per app instance (tests start several apps in one process). */
@Injectable()
export class MetricsService {
  private readonly logger = new Logger(MetricsService.name);

  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'zgoda_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly collectors: (() => Promise<void>)[] = [];
  private readonly running = new Map<() => Promise<void>, Promise<void>>();

  constructor(queues: QueueRegistry, outbox: OutboxService) {
    collectDefaultMetrics({ register: this.registry, prefix: 'zgoda_' });
    const depth = this.gauge('zgoda_queue_jobs', 'Jobs per queue and state', ['queue', 'state']);
    const outboxGauge = this.gauge('zgoda_outbox_messages', 'Outbox rows by state', ['state']);
    const lag = this.gauge('zgoda_outbox_lag_seconds', 'Age of the oldest unsent outbox row');
    this.onCollect(async () => {
      const depths = await queues.depths().catch(() => ({}) as Record<string, Record<string, number>>);
      for (const [queue, states] of Object.entries(depths))
        for (const [state, n] of Object.entries(states)) depth.set({ queue, state }, n);
      const s = await outbox.stats();
      outboxGauge.set({ state: 'unsent' }, s.unsent);
      outboxGauge.set({ state: 'incomplete' }, s.incomplete);
      outboxGauge.set({ state: 'dead' }, s.dead);
      lag.set(s.oldestUnsentSeconds);
    });
  }

  gauge(name: string, help: string, labelNames: string[] = []): Gauge<string> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /** Modules add their own figures (deadlines at risk, breaches) computed at scrape time. */
  onCollect(fn: () => Promise<void>): void {
    this.collectors.push(fn);
  }

  async render(): Promise<string> {
    await Promise.all(this.collectors.map((c) => this.collect(c)));
    return this.registry.metrics();
  }

  /**
   * A collector that fails, or waits on a dependency that is down past COLLECT_DEADLINE_MS (BullMQ holds its
   * commands until Redis is back), leaves its gauges at their last values: the scrape still answers (issue 25 item
   * 6; it took over 100 s). One run of a collector at a time, so scrapes meanwhile do not pile up waiting calls.
   */
  private collect(c: () => Promise<void>): Promise<void> {
    let run = this.running.get(c);
    if (!run) {
      run = c()
        .catch((e: unknown) => this.logger.warn({ err: { name: (e as Error).name } }, 'metrics collector failed'))
        .finally(() => this.running.delete(c));
      this.running.set(c, run);
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, COLLECT_DEADLINE_MS);
    });
    return Promise.race([run, deadline]).finally(() => clearTimeout(timer));
  }
}
