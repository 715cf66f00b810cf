import { All, Controller, Req, Res, Type, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
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
  /** OpenAPI description of the refusals in the platform's error shape (status and body). */
  errors: string;
}

const CATCH_ALL = '{*path}';

/**
 * A thin controller class that hands every request to the PassThroughService: `route.path` in the header form,
 * `installations/:installationId/<route.path>` in the prefix form, and any other path (answered `not_forwarded`
 * in the platform's error shape rather than by Nest's default 404).
 */
export function passThroughController(route: PassThroughRoute): Type<unknown> {
  @ApiTags(route.tag)
  @ApiBearerAuth()
  @ApiResponse({ status: 'default', description: route.errors })
  @Controller()
  @UseGuards(ServiceApiKeyGuard)
  @UseFilters(PassThroughExceptionFilter)
  class PassThroughController {
    constructor(
      private readonly passThrough: PassThroughService,
      private readonly target: PassThroughTarget,
    ) {}

    @All(`installations/:installationId/${route.path}`)
    @ApiOperation({ summary: `${route.summary} (installation in the path: an SDK needs only this base URL and the service key)` })
    @ApiParam({ name: 'installationId', type: String, format: 'uuid', description: 'the installation whose token is used' })
    @ApiHeader({ name: 'X-Installation-Id', required: false, description: 'optional here; when given it must name the same installation (else 400 installation_id_conflict)' })
    forwardForInstallation(@Req() req: Request, @Res() res: Response): Promise<void> {
      return this.passThrough.forward(req, res, this.target);
    }

    @All(route.path)
    @ApiOperation({ summary: `${route.summary} (installation in the X-Installation-Id header)` })
    @ApiHeader({ name: 'X-Installation-Id', required: false, description: 'UUID of the installation whose token is used; without it the legacy env token (if configured)' })
    forward(@Req() req: Request, @Res() res: Response): Promise<void> {
      return this.passThrough.forward(req, res, this.target);
    }

    @All(CATCH_ALL)
    @ApiExcludeEndpoint()
    notForwarded(@Req() req: Request, @Res() res: Response): Promise<void> {
      return this.passThrough.forward(req, res, this.target);
    }
  }
  return PassThroughController;
}
