import { ArgumentsHost, Catch, HttpStatus } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';

interface BodyParserError {
  type?: string;
  limit?: number;
}

/**
 * Body-parser failures are the client's fault: 413 for a body over the limit, 400 for malformed JSON or form.
 * Without this Nest treats them as unknown errors and logs a stack trace per bad request.
 */
@Catch()
export class BodyParserErrorFilter extends BaseExceptionFilter {
  override catch(error: unknown, host: ArgumentsHost): void {
    const type = (error as BodyParserError)?.type;
    const response = host.switchToHttp().getResponse<Response>();
    if (type === 'entity.too.large') {
      response.status(HttpStatus.PAYLOAD_TOO_LARGE).json({ statusCode: 413, message: `request body is larger than the limit of ${(error as BodyParserError).limit} bytes` });
      return;
    }
    if (type === 'entity.parse.failed') {
      response.status(HttpStatus.BAD_REQUEST).json({ statusCode: 400, message: 'request body is not valid JSON' });
      return;
    }
    super.catch(error, host);
  }
}
