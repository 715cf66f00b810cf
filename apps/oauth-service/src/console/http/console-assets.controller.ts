import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CONSOLE_CSS, CONSOLE_ICON, CONSOLE_JS } from '../views/console-assets';

/** The console's stylesheet and script (public: the sign-in page needs them). */
@ApiExcludeController()
@Controller('admin/assets')
export class ConsoleAssetsController {
  @Get('console.css')
  @Header('content-type', 'text/css; charset=utf-8')
  css(): string {
    return CONSOLE_CSS;
  }

  @Get('icon.svg')
  @Header('content-type', 'image/svg+xml')
  icon(): string {
    return CONSOLE_ICON;
  }

  @Get('console.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  js(): string {
    return CONSOLE_JS;
  }
}
