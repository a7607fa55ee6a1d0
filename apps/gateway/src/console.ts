import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { problem, sendProblem } from '@mlops/platform';

/** Paths the gateway answers itself or proxies: never the console's, whatever the Accept header says. */
const RESERVED = /^\/(api|ajax-api|docs|openapi\.(json|yaml)|health|metrics)(\/|$|-)/;

/** Where the built console is: GATEWAY_CONSOLE_DIR, else apps/web/dist under the working directory. */
export const consoleDir = (env: Record<string, string | undefined>) => resolve(env.GATEWAY_CONSOLE_DIR || join(process.cwd(), 'apps', 'web', 'dist'));

/**
 * The web console at `/`: Vite's hashed assets cached for a year, index.html revalidated on every
 * load (so a new build shows at once), and any other page path answered with index.html (the
 * console routes in the browser).
 */
export function serveConsole(dir: string) {
  const index = join(dir, 'index.html');
  const assets = express.static(dir, {
    index: false,
    setHeaders: (res, path) =>
      res.setHeader('Cache-Control', path.startsWith(join(dir, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || RESERVED.test(req.path)) return next();
    assets(req, res, () => {
      if (req.path.startsWith('/assets/')) return next();
      if (!existsSync(index)) return sendProblem(res, problem(404, `The console is not built: run \`npm run build:web\` (looked in ${dir})`), req);
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
  };
}
