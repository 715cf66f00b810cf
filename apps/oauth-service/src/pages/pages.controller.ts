import { ProviderRegistry } from '@bot/providers';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageRenderer } from './page.renderer';

/** `/`: install buttons per configured platform. */
@ApiExcludeController()
@Controller()
export class PagesController {
  constructor(
    private readonly providers: ProviderRegistry,
    private readonly pages: PageRenderer,
  ) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  index(): string {
    const providers = this.providers.all();
    const sandbox = providers.some((provider) => /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(provider.installSiteUrl()));
    return this.pages.index(
      providers.filter((provider) => provider.configured()).map((provider) => ({ platform: provider.platform, label: provider.installLabel, color: provider.buttonColor })),
      sandbox,
      providers.map((provider) => provider.displayName),
    );
  }
}
