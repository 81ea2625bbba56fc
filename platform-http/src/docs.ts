import { readFileSync } from 'node:fs';
import { Router, type Request, type Response } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { parse } from 'yaml';

export interface DocsOptions {
  /** Where the docs live (default `/docs`). */
  basePath?: string;
  /** The OpenAPI document to show: the same file the service's validator reads. */
  specPath: string;
  title: string;
}

/**
 * Swagger UI needs its own stylesheet's inline `<style>` blocks and SVG `data:` images; everything
 * else stays same-origin. No `upgrade-insecure-requests`, so the page also works over plain HTTP
 * (compose, localhost) instead of having every asset rewritten to https.
 */
const docsContentSecurityPolicy = helmet.contentSecurityPolicy({
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    frameAncestors: ["'self'"],
    formAction: ["'self'"],
  },
});

/**
 * API documentation from the same spec file the validator reads: Swagger UI at `/docs/` (`/docs`
 * redirects there so the page's relative asset URLs resolve) and the raw spec at `/docs/openapi.yaml`.
 * Mount after helmet: the docs routes replace the app-wide CSP with a relaxed one.
 */
export function mountDocs(app: Router, options: DocsOptions): void {
  const basePath = options.basePath ?? '/docs';
  const raw = readFileSync(options.specPath, 'utf8');
  const document = parse(raw) as Record<string, unknown>;
  const uiOptions = {
    customSiteTitle: options.title,
    // No call to the public validator badge service: the docs make no third-party requests.
    swaggerOptions: { validatorUrl: null, persistAuthorization: false },
  };

  const router = Router({ strict: true });
  router.use(docsContentSecurityPolicy);
  router.get('/openapi.yaml', (_req: Request, res: Response) => {
    res.type('application/yaml').send(raw);
  });
  router.get('/openapi.json', (_req: Request, res: Response) => {
    res.json(document);
  });
  router.get('/', (req: Request, res: Response, next) => {
    const [pathname, search] = req.originalUrl.split('?', 2);
    if (pathname !== undefined && !pathname.endsWith('/')) {
      res.redirect(301, `${pathname}/${search === undefined ? '' : `?${search}`}`);
      return;
    }
    next();
  });
  router.use('/', swaggerUi.serveFiles(document, uiOptions));
  router.get('/', swaggerUi.setup(document, uiOptions));
  app.use(basePath, router);
}
