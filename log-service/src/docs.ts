import { readFileSync } from 'node:fs';
import type { Request, Response, Router } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { parse as parseYaml } from 'yaml';

/**
 * Swagger UI for the service's OpenAPI document at `/docs` (the raw file at `/docs/openapi.yaml`).
 * Only these routes get a CSP that lets Swagger UI's inline styles and data: images through; the
 * rest of the app keeps helmet's strict defaults. Mount before the API (its validator answers 404
 * for paths the spec does not declare).
 */
export function mountDocs(app: Router, specPath: string, title: string): void {
  const specText = readFileSync(specPath, 'utf8');
  const spec = parseYaml(specText) as Record<string, unknown>;
  const docsCsp = helmet.contentSecurityPolicy({
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
    },
  });
  app.get('/docs/openapi.yaml', (_req: Request, res: Response) => {
    res.type('application/yaml').send(specText);
  });
  const options = { customSiteTitle: title };
  // serveFiles binds the init script to this spec (swaggerUi.serve shares one per process)
  app.use('/docs', docsCsp, swaggerUi.serveFiles(spec, options), swaggerUi.setup(spec, options));
}
