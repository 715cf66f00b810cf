import { noteRefusal } from '@bot/observability';
import { ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Request, Response } from 'express';

/** An error from body-parser / raw-body (http-errors): a status, and for most a `type`. */
interface BodyReadError {
  status?: number;
  type?: string;
  limit?: number;
  charset?: string;
  encoding?: string;
  message?: string;
  /** zlib's code (`Z_DATA_ERROR`, `Z_BUF_ERROR`) when a compressed body does not decompress. */
  code?: string;
}

const MESSAGES: Record<string, (error: BodyReadError) => string> = {
  'entity.too.large': (error) => `request body is larger than the limit of ${error.limit} bytes`,
  'entity.parse.failed': () => 'request body is not valid JSON',
  'charset.unsupported': (error) => `unsupported charset "${String(error.charset).slice(0, 40)}" (use utf-8)`,
  'encoding.unsupported': (error) => `unsupported Content-Encoding "${String(error.encoding).slice(0, 40)}" (use gzip, deflate, br or none)`,
  'request.aborted': () => 'the request was aborted before its body ended',
  'request.size.invalid': () => 'the request body did not match its Content-Length',
  'parameters.too.many': () => 'the form body has too many parameters',
};

/**
 * Request bodies that cannot be read are the client's fault: a 4xx naming the problem (413 over the limit, 400
 * malformed JSON, a corrupt gzip body or a body cut short, 415 an unsupported charset or encoding), noted on the
 * request's log line, never an error log with a stack. Anything else goes to Nest's handling.
 */
@Catch()
export class BodyParserErrorFilter extends BaseExceptionFilter {
  override catch(error: unknown, host: ArgumentsHost): void {
    const status = (error as BodyReadError)?.status;
    if (typeof status !== 'number' || status < 400 || status >= 500 || !isBodyReadError(error)) {
      super.catch(error, host);
      return;
    }
    const http = host.switchToHttp();
    const message = MESSAGES[error.type ?? '']?.(error) ?? fallbackMessage(error);
    noteRefusal(http.getRequest<Request>(), message);
    const response = http.getResponse<Response>();
    if (response.headersSent) return;
    response.status(status).json({ statusCode: status, message });
  }
}

/** http-errors from reading a body carry `expose` (4xx) and are not Nest HttpExceptions (those keep Nest's answer). */
function isBodyReadError(error: unknown): error is BodyReadError {
  return typeof error === 'object' && error !== null && 'expose' in error && !('getStatus' in error);
}

function fallbackMessage(error: BodyReadError): string {
  if (typeof error.code === 'string' && error.code.startsWith('Z_')) return `the request body does not match its Content-Encoding (corrupt or cut short: ${error.code})`;
  return `the request body could not be read: ${String(error.message).slice(0, 200)}`;
}
