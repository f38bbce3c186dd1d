import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MetricsController } from '../metrics';
import { MetricsService } from '../metrics';
import { HealthController } from './health.controller';
import { RedisHealthIndicator } from './redis-health.indicator';

@Global()
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', gracefulShutdownTimeoutMs: 0 })],
  controllers: [HealthController, MetricsController],
  providers: [RedisHealthIndicator, MetricsService],
  exports: [MetricsService],
})
export class HealthModule {}
