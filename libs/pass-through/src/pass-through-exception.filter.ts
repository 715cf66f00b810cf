import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { PassThroughError } from './pass-through.errors';
import { PassThroughTarget } from './pass-through.target';

/** Answers refusals of the pass-through apps as JSON shaped like the platform's own errors. */
@Catch()
export class PassThroughExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(PassThroughExceptionFilter.name);

  constructor(private readonly target: PassThroughTarget) {}

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
      this.logger.error(`unexpected failure: ${(exception as Error)?.message ?? String(exception)}`);
      error = new PassThroughError(500, 'internal_error', 'unexpected server error');
    }
    res.status(error.status).set(error.headers).json(this.target.errorBody(error.code, error.message));
  }
}
