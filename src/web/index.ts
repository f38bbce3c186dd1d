// The public surface of the web module: what other modules and the entry points may import (docs/ARCHITECTURE.md).
export { CsrfProtected } from './csrf.guard';
export { CSRF_FIELD, CsrfService } from './csrf.service';
export { MessagePage, messagePage, pageLang } from './message-page';
export { PageRenderer } from './page-renderer.service';
export { seeOther, wantsHtml } from './redirect';
export { WebErrorFilter, WebPage } from './web-error.filter';
export { WebModule } from './web.module';
