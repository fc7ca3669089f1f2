import { Controller, Get, Logger, NotFoundException, OnModuleInit, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ConsoleAssets } from './console-assets';

/** The bits of Express's request and response used here (the project does not depend on @types/express). */
interface AssetRequest {
  path: string;
}
interface AssetResponse {
  headersSent: boolean;
  setHeader(name: string, value: string): void;
  status(code: number): AssetResponse;
  type(type: string): AssetResponse;
  send(body: string | object): void;
  sendFile(path: string, callback: (error?: Error) => void): void;
}

/**
 * The page may only load its own scripts and styles and talk to this API: a payload or response excerpt
 * shown on the page can never run as code. The token lives in sessionStorage, so this matters.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Console not built</title></head>
<body><h1>The console is not built</h1><p>Its files were not found next to the API. Run <code>npm run build</code>
(or <code>npm start</code>), then reload this page.</p></body></html>`;

/**
 * Serves the ops console (console/, built by `npm run build`) at /console. The page uses only the public
 * /v1 API with the operator's bearer token, so it can never do more than that token allows.
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleAssetsController implements OnModuleInit {
  private readonly logger = new Logger(ConsoleAssetsController.name);
  private assets!: ConsoleAssets;

  onModuleInit(): void {
    this.assets = ConsoleAssets.load();
    if (this.assets.built) this.logger.log(`Serving the console from ${this.assets.root}`);
    else this.logger.warn('Console assets not found (dist/console); /console explains how to build them');
  }

  @Get()
  index(@Res() response: AssetResponse): void {
    this.sendIndex(response);
  }

  @Get('*path')
  asset(@Req() request: AssetRequest, @Res() response: AssetResponse): void {
    const relativePath = request.path.replace(/^\/console\/?/, '');
    const file = this.assets.file(relativePath);
    if (file && relativePath !== 'index.html') {
      // Vite names files under assets/ after their content hash: they never change.
      const immutable = relativePath.startsWith('assets/');
      response.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      response.setHeader('X-Content-Type-Options', 'nosniff');
      this.sendFile(response, file);
      return;
    }
    // A missing file (a stale hashed asset name, a typo) is a 404; any other path is a page of the app.
    if (/\.[a-z0-9]+$/i.test(relativePath)) throw new NotFoundException('Not found');
    this.sendIndex(response);
  }

  private sendIndex(response: AssetResponse): void {
    response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('Cache-Control', 'no-cache');
    const index = this.assets.indexHtml;
    if (!index) {
      response.status(503).type('html').send(NOT_BUILT_PAGE);
      return;
    }
    this.sendFile(response, index);
  }

  /** The files were listed at start-up; one removed since (a rebuild under a running API) is a 404. */
  private sendFile(response: AssetResponse, file: string): void {
    response.sendFile(file, (error) => {
      if (!error || response.headersSent) return;
      this.logger.warn(`Could not send ${file}: ${error.message}`);
      response
        .status(404)
        .type('json')
        .send({ message: 'Not found; the console may have been rebuilt, reload the page' });
    });
  }
}
