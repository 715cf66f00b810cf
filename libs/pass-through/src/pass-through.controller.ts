import { All, Controller, OnApplicationBootstrap, Req, Res, Type, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PassThroughExceptionFilter } from './pass-through-exception.filter';
import { PassThroughService } from './pass-through.service';
import { PassThroughTarget } from './pass-through.target';
import { PassThroughMount, PassThroughRoutes } from './pass-through.mount';

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
 * in the platform's error shape rather than by Nest's default 404). The service checks the service key and
 * answers refusals itself; on bootstrap the same service is also mounted below Nest's router (PassThroughMount),
 * which is how requests normally reach it. These routes document the API and serve what reaches Express anyway.
 */
export function passThroughController(route: PassThroughRoute): Type<unknown> {
  const paths = [`installations/:installationId/${route.path}`, route.path, CATCH_ALL];
  const routes: PassThroughRoutes = { prefixed: `/${paths[0]}`, plain: `/${paths[1]}`, other: `/${paths[2]}` };

  @ApiTags(route.tag)
  @ApiBearerAuth()
  @ApiResponse({ status: 'default', description: route.errors })
  @Controller()
  @UseFilters(PassThroughExceptionFilter)
  class PassThroughController implements OnApplicationBootstrap {
    constructor(
      private readonly passThrough: PassThroughService,
      private readonly target: PassThroughTarget,
      private readonly mount: PassThroughMount,
    ) {}

    onApplicationBootstrap(): void {
      this.mount.serve(this.target, routes);
    }

    @All(paths[0])
    @ApiOperation({ summary: `${route.summary} (installation in the path: an SDK needs only this base URL and the service key)` })
    @ApiParam({ name: 'installationId', type: String, format: 'uuid', description: 'the installation whose token is used' })
    @ApiHeader({ name: 'X-Installation-Id', required: false, description: 'optional here; when given it must name the same installation (else 400 installation_id_conflict)' })
    forwardForInstallation(@Req() req: Request, @Res() res: Response): void {
      this.passThrough.handle(req, res, this.target, routes, req.originalUrl);
    }

    @All(paths[1])
    @ApiOperation({ summary: `${route.summary} (installation in the X-Installation-Id header)` })
    @ApiHeader({ name: 'X-Installation-Id', required: false, description: 'UUID of the installation whose token is used; without it the legacy env token (if configured)' })
    forward(@Req() req: Request, @Res() res: Response): void {
      this.passThrough.handle(req, res, this.target, routes, req.originalUrl);
    }

    @All(paths[2])
    @ApiExcludeEndpoint()
    notForwarded(@Req() req: Request, @Res() res: Response): void {
      this.passThrough.handle(req, res, this.target, routes, req.originalUrl);
    }
  }
  return PassThroughController;
}
