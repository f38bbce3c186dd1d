import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../common/auth/scopes';
import { MetricsService } from './metrics.service';

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  // Public like most Prometheus targets; it holds counts only. Restrict it at the network edge.
  @Get()
  @Public()
  @Header('content-type', 'text/plain; version=0.0.4')
  render() {
    return this.metrics.render();
  }
}
