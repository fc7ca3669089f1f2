import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { sleep } from './wait-for';

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  receivedAt: number;
}

export type ReceiverBehaviour = (request: ReceivedRequest, response: ServerResponse) => void | Promise<void>;

/**
 * A real HTTP webhook receiver on loopback. Each path can be given its own behaviour (status, delay,
 * hang, reset); every request is recorded with its headers and raw body.
 */
export class TestReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly behaviours = new Map<string, ReceiverBehaviour>();
  private server!: Server;

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const received: ReceivedRequest = {
          path: request.url ?? '/',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: Date.now(),
        };
        this.requests.push(received);
        const behaviour = this.behaviours.get(received.path) ?? respondWith(200);
        void Promise.resolve(behaviour(received, response)).catch(() => response.destroy());
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  on(path: string, behaviour: ReceiverBehaviour): void {
    this.behaviours.set(path, behaviour);
  }

  received(path: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const respondWith =
  (status: number, body = '', headers: Record<string, string> = {}): ReceiverBehaviour =>
  (_request, response) => {
    response.writeHead(status, headers);
    response.end(body);
  };

export const respondAfter =
  (delayMs: number, status = 200): ReceiverBehaviour =>
  async (_request, response) => {
    await sleep(delayMs);
    response.writeHead(status);
    response.end();
  };

/** Answers each request with the next status in the list, then keeps the last one. */
export const respondInSequence = (...statuses: number[]): ReceiverBehaviour => {
  let call = 0;
  return (_request, response) => {
    const status = statuses[Math.min(call, statuses.length - 1)];
    call += 1;
    response.writeHead(status);
    response.end();
  };
};

/** Never answers (until the client gives up). */
export const hang: ReceiverBehaviour = () => undefined;
