import { ProvidersModule } from '@bot/platforms';
import { Module } from '@nestjs/common';
import { PageRenderer } from './page.renderer';
import { PagesController } from './pages.controller';

/** The landing page. */
@Module({ imports: [ProvidersModule], controllers: [PagesController], providers: [PageRenderer] })
export class PagesModule {}
