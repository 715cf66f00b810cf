import { Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThroughService } from './pass-through.service';
import { PassThroughTarget } from './pass-through.target';

type Handle = (req: IncomingMessage, res: ServerResponse, next?: unknown) => void;

interface ExpressRouteLayer {
  route?: { path?: unknown };
  /** The path a layer was registered with (router 2 / Express 5). */
  rawPath?: unknown;
}

interface ExpressApp {
  handle?: Handle;
  router?: { stack?: ExpressRouteLayer[] };
}

/** The route patterns of the pass-through's controller, for the request log and metrics of requests served below the router. */
export interface PassThroughRoutes {
  /** `/installations/:installationId/<route>`. */
  prefixed: string;
  /** `/<route>`. */
  plain: string;
  /** `/{*path}`: whatever the app does not forward (answered `not_forwarded`). */
  other: string;
}

/**
 * Serves the pass-through below Nest's router: Express's entry point (`app.handle`, which the HTTP server's
 * listener calls, behind the request observer of @bot/observability) hands every request whose path is not one of
 * the app's own routes (health, docs, metrics, …) straight to PassThroughService, and all others to Express and
 * Nest as before. Express and Nest's router, guards, interceptors and filters cost several times what forwarding
 * itself does per call; the pass-through checks its key, answers its refusals and names its route for the request
 * log itself, so nothing of theirs is needed for it. The request observer stays in front of both, so every request
 * still gets its log line, metrics and span. The controller's routes stay registered: they document the API
 * (OpenAPI) and serve whatever reaches Express anyway, through the same PassThroughService.
 */
@Injectable()
export class PassThroughMount {
  private readonly logger = new Logger(PassThroughMount.name);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly passThrough: PassThroughService,
  ) {}

  /**
   * Puts the pass-through in front of Express's router. `routes` are the controller's own route patterns: every
   * other route's first path segment stays with Express. Call once the routes are registered (application
   * bootstrap).
   */
  serve(target: PassThroughTarget, routes: PassThroughRoutes): void {
    const express = this.adapterHost.httpAdapter?.getInstance() as ExpressApp | undefined;
    const layers = express?.router?.stack;
    const handle = express?.handle;
    if (!express || typeof handle !== 'function' || !Array.isArray(layers)) {
      this.logger.warn('not an Express app: the pass-through is served through Nest routing');
      return;
    }
    const local = localFirstSegments(layers, [routes.prefixed, routes.plain, routes.other]);
    if (!local) {
      this.logger.warn('a route of this app matches on its first path segment: the pass-through is served through Nest routing');
      return;
    }
    const passThrough = this.passThrough;
    const expressHandle = handle.bind(express);
    // Express's app function calls `app.handle`, so this works whoever holds the function (the request observer).
    express.handle = (req, res, next) => {
      if (local.has(firstSegment(req.url ?? '/'))) expressHandle(req, res, next);
      else passThrough.handle(req, res, target, routes);
    };
  }
}

/**
 * First path segments of the routes and mounted middleware registered with Express other than the
 * pass-through's own (`/health` → `health`, `/docs/openapi.json` → `docs`). Requests under them go to Express,
 * whose catch-all still forwards what none of its routes takes, so the split changes no answer. Middleware on
 * `/` (Nest's adapter hooks and final handlers) is not a route. Undefined when a route's first segment is a
 * pattern: then no path can be told apart without Express.
 */
export function localFirstSegments(layers: ExpressRouteLayer[], passThroughPaths: string[]): Set<string> | undefined {
  const ours = new Set(passThroughPaths.map((path) => `/${path.replace(/^\/+/, '')}`));
  const segments = new Set<string>();
  for (const layer of layers) {
    const path = layer.route ? layer.route.path : layer.rawPath;
    if (path === '/' && !layer.route) continue;
    if (typeof path !== 'string') return undefined;
    if (ours.has(path)) continue;
    const segment = firstSegment(path);
    if (segment === '' || /[:*{}()?+]/.test(segment)) return undefined;
    segments.add(segment);
  }
  return segments;
}

/** `/a/b?c` → `a`; `/` and `/?x` → ``. */
export function firstSegment(url: string): string {
  let end = 1;
  while (end < url.length) {
    const char = url.charCodeAt(end);
    if (char === 47 /* / */ || char === 63 /* ? */) break;
    end++;
  }
  return url.slice(1, end);
}
