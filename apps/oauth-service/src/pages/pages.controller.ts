import { AppConfig } from '@bot/config';
import { ProviderRegistry } from '@bot/providers';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageRenderer } from './page.renderer';

const LABELS = { github: 'Add to GitHub', slack: 'Add to Slack', jira: 'Add to Jira' } as const;

/** `/`: install buttons per configured platform. */
@ApiExcludeController()
@Controller()
export class PagesController {
  constructor(
    private readonly providers: ProviderRegistry,
    private readonly pages: PageRenderer,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  index(): string {
    const sandbox = [this.config.upstream.githubBaseUrl, this.config.upstream.slackBaseUrl, this.config.upstream.atlassianAuthBaseUrl].some((url) =>
      /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url),
    );
    return this.pages.index(
      this.providers.configured().map((platform) => ({ platform, label: LABELS[platform] })),
      sandbox,
    );
  }
}
