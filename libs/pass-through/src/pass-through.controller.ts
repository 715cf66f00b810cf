import { All, Controller, Req, Res, Type, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PassThroughExceptionFilter } from './pass-through-exception.filter';
import { PassThroughService } from './pass-through.service';
import { PassThroughTarget } from './pass-through.target';
import { ServiceApiKeyGuard } from './service-api-key.guard';

export interface PassThroughRoute {
  /** Route pattern of the forwarded paths, e.g. `api/:method` or `{*path}`. */
  path: string;
  /** OpenAPI tag. */
  tag: string;
  /** OpenAPI summary of what is forwarded where. */
  summary: string;
}

/** A thin controller class that hands every request on `route.path` to the PassThroughService. */
export function passThroughController(route: PassThroughRoute): Type<unknown> {
  @ApiTags(route.tag)
  @ApiBearerAuth()
  @ApiHeader({ name: 'X-Installation-Id', required: false, description: 'UUID of the installation whose token is used; without it the legacy env token (if configured)' })
  @Controller()
  @UseGuards(ServiceApiKeyGuard)
  @UseFilters(PassThroughExceptionFilter)
  class PassThroughController {
    constructor(
      private readonly passThrough: PassThroughService,
      private readonly target: PassThroughTarget,
    ) {}

    @All(route.path)
    @ApiOperation({ summary: route.summary })
    forward(@Req() req: Request, @Res() res: Response): Promise<void> {
      return this.passThrough.forward(req, res, this.target);
    }
  }
  return PassThroughController;
}
