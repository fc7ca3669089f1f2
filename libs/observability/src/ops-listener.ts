import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { AppHealth, HealthReport } from './health-report';
import { metricsRegistry } from './metrics';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The operators' listener, apart from the public port: Prometheus' /metrics (tenant activity, internal
 * state) and /health and /ready with their details. Plain node:http, since it serves three fixed GETs and
 * none of the public stack (auth, body parsing, docs) belongs on it.
 */
@Injectable()
export class OpsListener implements OnApplicationShutdown {
  private readonly logger = new Logger(OpsListener.name);
  private server?: Server;

  constructor(private readonly health: AppHealth) {}

  /** Resolves with the port listened on (0 picks a free one). */
  async listen(port: number, host: string): Promise<number> {
    const server = createServer((request, response) => void this.answer(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const bound = (server.address() as AddressInfo).port;
    this.logger.log(`Metrics and health details on http://${host}:${bound}`);
    return bound;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections(); // Prometheus keeps its connection open
    });
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return send(response, 405, JSON_TYPE, JSON.stringify({ message: 'Method not allowed' }));
    }
    const path = (request.url ?? '/').split('?')[0];
    try {
      if (path === '/metrics') return send(response, 200, metricsRegistry.contentType, await metricsRegistry.metrics());
      if (path === '/health') return sendReport(response, await this.health.live());
      if (path === '/ready') return sendReport(response, await this.health.ready());
      return send(response, 404, JSON_TYPE, JSON.stringify({ message: 'Not found' }));
    } catch (error) {
      this.logger.error(`Ops request ${path} failed: ${(error as Error).stack ?? String(error)}`);
      return send(response, 500, JSON_TYPE, JSON.stringify({ message: 'Internal server error' }));
    }
  }
}

function sendReport(response: ServerResponse, report: HealthReport): void {
  response.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
  send(response, report.healthy ? 200 : 503, JSON_TYPE, JSON.stringify(report.details));
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'Content-Type': contentType });
  response.end(body);
}
