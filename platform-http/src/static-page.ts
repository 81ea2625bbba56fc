import { Router, type Request, type Response } from 'express';

export interface StaticPage {
  html: string;
  /** The page's own policy (e.g. `default-src 'none'; style-src 'sha256-…'`); sent as the header. */
  contentSecurityPolicy: string;
}

/**
 * Serve one pre-rendered HTML page at `<basePath>/` (`<basePath>` redirects there), with the page's
 * Content-Security-Policy as the response header instead of the app-wide one, plus what a meta tag
 * cannot say (no framing by other sites, no `<base>`, no form posts). Mount it before a router that
 * owns a parent path (e.g. `/docs/events` before the Swagger UI at `/docs`).
 */
export function mountStaticPage(app: Router, basePath: string, page: StaticPage): void {
  const policy = `${page.contentSecurityPolicy}; base-uri 'none'; form-action 'none'; frame-ancestors 'self'`;
  const router = Router({ strict: true });
  router.get('/', (req: Request, res: Response) => {
    const [pathname, search] = req.originalUrl.split('?', 2);
    if (pathname !== undefined && !pathname.endsWith('/')) {
      res.redirect(301, `${pathname}/${search === undefined ? '' : `?${search}`}`);
      return;
    }
    res.setHeader('Content-Security-Policy', policy);
    res.type('html').send(page.html);
  });
  app.use(basePath, router);
}
