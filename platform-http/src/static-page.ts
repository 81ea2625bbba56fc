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
 * owns a parent path (e.g. `/docs/events` before the Swagger UI at `/docs`). `page` may be a loader
 * (e.g. `() => import(…)`): it runs on the first request, so a large page is not held from start-up.
 */
export function mountStaticPage(app: Router, basePath: string, page: StaticPage | (() => Promise<StaticPage>)): void {
  let loaded: Promise<StaticPage> | undefined;
  const load = (): Promise<StaticPage> =>
    (loaded ??= (typeof page === 'function' ? page() : Promise.resolve(page)).catch((err: unknown) => {
      loaded = undefined; // the next request tries again
      throw err;
    }));
  const router = Router({ strict: true });
  router.get('/', async (req: Request, res: Response) => {
    const [pathname, search] = req.originalUrl.split('?', 2);
    if (pathname !== undefined && !pathname.endsWith('/')) {
      res.redirect(301, `${pathname}/${search === undefined ? '' : `?${search}`}`);
      return;
    }
    const { html, contentSecurityPolicy } = await load();
    res.setHeader('Content-Security-Policy', `${contentSecurityPolicy}; base-uri 'none'; form-action 'none'; frame-ancestors 'self'`);
    res.type('html').send(html);
  });
  app.use(basePath, router);
}
