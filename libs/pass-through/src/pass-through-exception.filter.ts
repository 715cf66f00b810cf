import { noteRefusal } from '@bot/observability';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PassThroughError } from './pass-through.errors';
import { PassThroughTarget } from './pass-through.target';
import { renderPassThroughError } from './platform-error.shape';
import { PublicBaseUrl } from './public-base-url';

/** Answers refusals of the pass-through apps in the platform's own error shape, always with a `code`. */
@Catch()
export class PassThroughExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(PassThroughExceptionFilter.name);

  constructor(
    private readonly target: PassThroughTarget,
    private readonly publicBaseUrl: PublicBaseUrl,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    let error: PassThroughError;
    if (exception instanceof PassThroughError) {
      error = exception;
    } else if (exception instanceof HttpException) {
      error = new PassThroughError(exception.getStatus(), 'http_error', exception.message);
    } else {
      this.logger.error({ msg: 'unexpected failure', err: exception });
      error = new PassThroughError(500, 'internal_error', 'unexpected server error');
    }
    const req = host.switchToHttp().getRequest<Request>();
    noteRefusal(req, `${error.code}: ${error.message}`);
    const answer = renderPassThroughError(error, this.target.errorShape, { appBaseUrl: this.publicBaseUrl.of(req.headers) });
    res.status(answer.status).set(answer.headers).json(answer.body);
  }
}
