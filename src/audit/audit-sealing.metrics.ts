import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../metrics';
import { AuditTreeRepository } from './audit-tree.repository';

// Issue 16: an entry not sealed within this many seconds is an alert.
const ALERT_AFTER_SECONDS = 10;

/** Sealing lag on /metrics: how long the oldest unsealed audit entry has waited, and the alert past 10 s. */
@Injectable()
export class AuditSealingMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly tree: AuditTreeRepository,
  ) {}

  onModuleInit(): void {
    const lag = this.metrics.gauge(
      'zgoda_audit_sealing_lag_seconds',
      'How long the oldest audit entry not yet sealed into the Merkle tree has waited (0 when all are sealed)',
    );
    const alert = this.metrics.gauge(
      'zgoda_audit_sealing_alert',
      `1 when an audit entry has waited more than ${ALERT_AFTER_SECONDS} s to be sealed: is the worker's sequencer running?`,
    );
    this.metrics.onCollect(async () => {
      const t = await this.tree.tree();
      const seconds = await this.tree.sealingLagSeconds({ tx: t.lastTx, seq: t.lastSeq });
      lag.set(seconds);
      alert.set(seconds > ALERT_AFTER_SECONDS ? 1 : 0);
    });
  }
}
