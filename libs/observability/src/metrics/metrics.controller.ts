import { Controller, Get, NotFoundException, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { MetricsRegistry } from './metrics-registry';
import { MetricsTokenGuard } from './metrics-token.guard';

/** `GET /metrics`: the Prometheus text exposition, for the private network (METRICS_TOKEN to require a bearer). */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly registry: MetricsRegistry) {}

  @Get()
  @UseGuards(MetricsTokenGuard)
  async scrape(@Res() response: Response): Promise<void> {
    if (!this.registry.enabled) throw new NotFoundException('metrics are turned off (METRICS_ENABLED=false)');
    const text = await this.registry.render();
    response.status(200).setHeader('content-type', this.registry.contentType);
    response.end(text);
  }
}
