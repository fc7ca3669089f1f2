import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * The bench's webhook receiver, run as its own process (bench/lib/receiver.ts forks it) so that the
 * load it serves never shares an event loop with the client being measured. A plain node:http server:
 * 200 with an empty body once the request body is read. Requests are counted per run key, the second
 * path segment of `/r/<key>/...`, with their arrival times, which the parent asks for over IPC.
 */
const arrivals = new Map<string, number[]>();
/** First arrival per webhook-id (the event id), per run key: the end-to-end latency probe reads these. */
const firstArrivalById = new Map<string, Map<string, number>>();

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const key = (request.url ?? '/').split('/')[2] ?? '';
    let times = arrivals.get(key);
    if (!times) arrivals.set(key, (times = []));
    const now = Date.now();
    times.push(now);
    const webhookId = request.headers['webhook-id'];
    if (typeof webhookId === 'string') {
      let byId = firstArrivalById.get(key);
      if (!byId) firstArrivalById.set(key, (byId = new Map()));
      if (!byId.has(webhookId)) byId.set(webhookId, now);
    }
    response.writeHead(200, { 'content-length': '0' });
    response.end();
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;

interface StatsRequest {
  type: 'stats' | 'arrivals';
  id: number;
  key: string;
}

process.on('message', (message: StatsRequest) => {
  if (message.type === 'arrivals') {
    const entries = [...(firstArrivalById.get(message.key) ?? new Map<string, number>()).entries()];
    process.send?.({ type: 'arrivals', id: message.id, entries });
    return;
  }
  if (message.type !== 'stats') return;
  const times = arrivals.get(message.key) ?? [];
  const at = (fraction: number) =>
    times.length ? times[Math.min(times.length - 1, Math.floor(times.length * fraction))] : null;
  process.send?.({
    type: 'stats',
    id: message.id,
    count: times.length,
    firstAt: at(0),
    p10At: at(0.1),
    p90At: at(0.9),
    lastAt: times.length ? times[times.length - 1] : null,
  });
});

process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port }));
