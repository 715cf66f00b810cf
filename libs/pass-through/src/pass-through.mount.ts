import { Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { PassThroughService } from './pass-through.service';
import { PassThroughTarget } from './pass-through.target';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

interface ExpressRouteLayer {
  route?: { path?: unknown };
  /** The path a layer was registered with (router 2 / Express 5). */
  rawPath?: unknown;
}

/**
 * Serves the pass-through below Nest's router: the HTTP server's request listener hands every request whose
 * path is not one of the app's own routes (health, docs, metrics, …) straight to PassThroughService, and all
 * others to Express and Nest as before. Express and Nest's router, guards, interceptors and filters cost
 * several times what forwarding itself does per call; the pass-through checks its key and answers its refusals
 * itself, so nothing of theirs is skipped for it. The controller's routes stay registered: they document the
 * API (OpenAPI) and serve whatever reaches Express anyway, through the same PassThroughService.
 */
@Injectable()
export class PassThroughMount {
  private readonly logger = new Logger(PassThroughMount.name);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly passThrough: PassThroughService,
  ) {}

  /**
   * Puts the pass-through in front of Express on the app's HTTP server. `passThroughPaths` are the controller's
   * own route paths: every other route's first path segment stays with Express. Call once the routes are
   * registered (application bootstrap).
   */
  serve(target: PassThroughTarget, passThroughPaths: string[]): void {
    const adapter = this.adapterHost.httpAdapter;
    const server = adapter?.getHttpServer() as Server | undefined;
    const express = adapter?.getInstance() as (RequestListener & { router?: { stack?: ExpressRouteLayer[] } }) | undefined;
    const layers = express?.router?.stack;
    if (!server || !express || !Array.isArray(layers) || !server.listeners('request').includes(express)) {
      this.logger.warn('not an Express app on a node:http server: the pass-through is served through Nest routing');
      return;
    }
    const local = localFirstSegments(layers, passThroughPaths);
    if (!local) {
      this.logger.warn('a route of this app matches on its first path segment: the pass-through is served through Nest routing');
      return;
    }
    const passThrough = this.passThrough;
    const dispatch: RequestListener = (req, res) => {
      if (local.has(firstSegment(req.url ?? '/'))) express(req, res);
      else passThrough.handle(req, res, target);
    };
    // Swap only Express's listener, in place, so other request listeners keep their order.
    const listeners = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    for (const listener of listeners) server.on('request', listener === express ? dispatch : listener);
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
