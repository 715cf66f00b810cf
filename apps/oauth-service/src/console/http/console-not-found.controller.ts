import { All, Controller, NotFoundException, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ConsoleSessionGuard } from '../session/console-session.guard';
import { ConsoleExceptionFilter } from './console-exception.filter';

/**
 * Any other path under /admin: sent to sign-in without a session (so the console reveals nothing of its routes),
 * a 404 page with one. Registered after every console controller.
 */
@ApiExcludeController()
@UseGuards(ConsoleSessionGuard)
@UseFilters(ConsoleExceptionFilter)
@Controller('admin')
export class ConsoleNotFoundController {
  @All('*path')
  notFound(): never {
    throw new NotFoundException('There is no such page in the operator console.');
  }
}
