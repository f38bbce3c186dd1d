import { Global, Module } from '@nestjs/common';
import { CsrfGuard } from './csrf.guard';
import { CsrfService } from './csrf.service';
import { PageRenderer } from './page-renderer.service';
import { WebAssetsController } from './web-assets.controller';
import { WebErrorFilter } from './web-error.filter';

/** Shared by the portal and the console: layout, strings, CSRF, error pages, the style sheet. */
@Global()
@Module({
  controllers: [WebAssetsController],
  providers: [PageRenderer, CsrfService, CsrfGuard, WebErrorFilter],
  exports: [PageRenderer, CsrfService, CsrfGuard, WebErrorFilter],
})
export class WebModule {}
