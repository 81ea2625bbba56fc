import { readFile } from 'node:fs/promises';
import { Router, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';

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
 *
 * Nothing of it is built at start-up: the spec is read and parsed, and swagger-ui-express and the
 * YAML parser are loaded, on the first request under the base path (start-up time and the memory
 * a parsed spec holds are paid only by a process whose docs are opened).
 */
export function mountDocs(app: Router, options: DocsOptions): void {
  const basePath = options.basePath ?? '/docs';
  let built: Promise<Router> | undefined;
  const docs = (req: Request, res: Response, next: NextFunction): void => {
    built ??= buildDocsRouter(options).catch((err: unknown) => {
      built = undefined; // the next request tries again
      throw err;
    });
    built.then((router) => router(req, res, next), next);
  };
  app.use(basePath, docsContentSecurityPolicy, docs);
}

async function buildDocsRouter(options: DocsOptions): Promise<Router> {
  const [raw, { parse }, { default: swaggerUi }] = await Promise.all([readFile(options.specPath, 'utf8'), import('yaml'), import('swagger-ui-express')]);
  const document = parse(raw) as Record<string, unknown>;
  const uiOptions = {
    customSiteTitle: options.title,
    // No call to the public validator badge service: the docs make no third-party requests.
    swaggerOptions: { validatorUrl: null, persistAuthorization: false },
  };

  const router = Router({ strict: true });
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
  return router;
}
