import { createServer } from 'node:http';
import { Consumer, Kafka, Producer } from 'kafkajs';
import { MongoClient } from 'mongodb';

/*
 * Loaded with `node -r` into a process the bench measures (a dispatcher, the least-work baseline) when
 * BENCH_WORK_COUNTS_PORT is set: counts what it asks of MongoDB and Kafka from the clients' own
 * instrumentation (the driver's command monitoring, kafkajs' request events) and serves the totals as
 * JSON on 127.0.0.1 at that port. The apps stay as they are. No project imports: work-counts.ts
 * transpiles this file alone, so no TypeScript compiler loads into the measured process.
 */

export interface WorkCounts {
  /** MongoDB commands started, by command name. */
  mongoCommands: Record<string, number>;
  /** Documents written, by command name: inserted documents, update and delete statements, findAndModify. */
  mongoWrites: Record<string, number>;
  /** Requests sent by kafkajs producers and consumers, by API name (Produce, Fetch, OffsetCommit, ...). */
  kafkaRequests: Record<string, number>;
  /** MongoDB commands by command and collection ("find deliveries"). */
  mongoCommandsByCollection: Record<string, number>;
  /** Documents written by command and collection ("update events"). */
  mongoWritesByCollection: Record<string, number>;
}

const counts: WorkCounts = {
  mongoCommands: {},
  mongoWrites: {},
  kafkaRequests: {},
  mongoCommandsByCollection: {},
  mongoWritesByCollection: {},
};

function add(tally: Record<string, number>, key: string, by = 1): void {
  tally[key] = (tally[key] ?? 0) + by;
}

const STATEMENT_LISTS: Record<string, string> = { insert: 'documents', update: 'updates', delete: 'deletes' };

/** Each statement of a write command names one document (no multi-document updates on this path). */
function documentsWritten(commandName: string, command: Record<string, unknown>): number {
  const list = command[STATEMENT_LISTS[commandName]];
  if (Array.isArray(list)) return list.length;
  return commandName === 'findAndModify' ? 1 : 0;
}

function countCommands(client: MongoClient): void {
  // Events are only built when asked for, and a connection reads this when it is made: before connect.
  (client as unknown as { monitorCommands: boolean }).monitorCommands = true;
  client.on('commandStarted', ({ commandName, command }) => {
    add(counts.mongoCommands, commandName);
    // The command's own field names its collection ({ find: 'deliveries', ... }).
    const target = `${commandName} ${typeof command[commandName] === 'string' ? command[commandName] : ''}`.trim();
    add(counts.mongoCommandsByCollection, target);
    const written = documentsWritten(commandName, command);
    if (written > 0) {
      add(counts.mongoWrites, commandName, written);
      add(counts.mongoWritesByCollection, target, written);
    }
  });
}

function instrument(port: number): void {
  const watched = new WeakSet<MongoClient>();
  const connect = MongoClient.prototype.connect;
  // Every client connects once through here, mongoose's included.
  MongoClient.prototype.connect = function (this: MongoClient) {
    if (!watched.has(this)) {
      watched.add(this);
      countCommands(this);
    }
    return connect.call(this);
  } as typeof connect;

  const producer = Kafka.prototype.producer;
  Kafka.prototype.producer = function (this: Kafka, ...args: Parameters<typeof producer>): Producer {
    const created = producer.apply(this, args);
    created.on(created.events.REQUEST, ({ payload }) => add(counts.kafkaRequests, payload.apiName));
    return created;
  };
  const consumer = Kafka.prototype.consumer;
  Kafka.prototype.consumer = function (this: Kafka, ...args: Parameters<typeof consumer>): Consumer {
    const created = consumer.apply(this, args);
    created.on(created.events.REQUEST, ({ payload }) => add(counts.kafkaRequests, payload.apiName));
    return created;
  };

  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(counts));
  });
  // A port clash fails the bench's scrape, not the process measured.
  server.on('error', (error) => console.error(`work counter: ${error.message}`));
  // Unref'd: it must not keep a process alive that is shutting down.
  server.listen(port, '127.0.0.1').unref();
}

const port = Number(process.env.BENCH_WORK_COUNTS_PORT);
if (port > 0) instrument(port);
