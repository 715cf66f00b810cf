import { Module } from '@nestjs/common';
import { PageRenderer } from './page.renderer';
import { PagesController } from './pages.controller';

/** The landing page. */
@Module({ controllers: [PagesController], providers: [PageRenderer] })
export class PagesModule {}
