import { readdirSync, readFileSync } from 'node:fs';
import mongoose from 'mongoose';
import { DELIVERY_MODEL, DeliveryDocument, DeliveryRepository, DeliverySchema } from '@app/persistence';

/**
 * What the dispatcher's periodic reads cost the database as the deliveries collection grows: the retry
 * scheduler's due retries (takeDue), the stranded-delivery sweep (takeStranded) and the FIFO sweep
 * (findHeld), each through the repository, over delivery-shaped documents of which 1 in 1,000 has a
 * retry scheduled (none due) and none is stranded or held. Reports the database server's CPU per read
 * (from /proc, by its listening port) and the wall time. Run against any server:
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/scan-probe.ts \
 *     [mongodb://127.0.0.1:59117] [100000]
 */
const uri = process.argv[2] ?? `mongodb://127.0.0.1:${process.env.BENCH_FERRETDB_PORT || 59117}`;
const size = Number(process.argv[3] ?? 100_000);

/** The pid of the process whose command line listens on this port (FerretDB's --listen-addr). */
function serverPid(port: string): number | null {
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (commandLine.includes(`127.0.0.1:${port}`) && !commandLine.includes('scan-probe')) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return null;
}

/** User + system CPU of a process in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function main(): Promise<void> {
  const port = new URL(uri).port;
  const pid = serverPid(port);
  const connection = await mongoose.createConnection(`${uri}/bench_scan_probe_${Date.now()}`).asPromise();
  const model = connection.model<DeliveryDocument>(DELIVERY_MODEL, DeliverySchema);
  const deliveries = new DeliveryRepository(model);
  const now = Date.now();
  for (let start = 0; start < size; start += 5_000) {
    const rows = Array.from({ length: Math.min(5_000, size - start) }, (_, offset) => {
      const index = start + offset;
      const scheduled = index % 1_000 === 0;
      return {
        _id: `event-${index}:webhook-${index % 50}`,
        tenantId: 'tenant-probe',
        eventId: `event-${index}`,
        webhookId: `webhook-${index % 50}`,
        url: 'https://receiver.example/hook',
        status: scheduled ? 'retrying' : 'delivered',
        attempts: 1,
        scheduledFailures: scheduled ? 1 : 0,
        lastAttemptAt: new Date(now),
        lastStatusCode: scheduled ? 500 : 200,
        lastErrorKind: null,
        nextAttemptAt: scheduled ? new Date(now + 3_600_000) : null,
        heldBy: null,
        createdAt: new Date(now),
        updatedAt: new Date(now),
        countedAttemptIds: [`attempt-${index}`],
      };
    });
    await model.collection.insertMany(rows as never[]);
  }
  const reads: [string, () => Promise<unknown>][] = [
    ['takeDue (retry scheduler)', () => deliveries.takeDue(new Date(now), 500)],
    ['takeStranded (stranded sweep)', () => deliveries.takeStranded(new Date(now - 600_000), new Date(now), 100)],
    ['findHeld (FIFO sweep)', () => deliveries.findHeld(500)],
  ];
  console.log(`${size} deliveries, server pid ${pid ?? 'not found'}`);
  console.log('| read | server CPU-ms | wall ms |');
  console.log('|---|---:|---:|');
  for (const [name, read] of reads) {
    const cpuBefore = pid ? cpuMs(pid) : 0;
    const startedAt = performance.now();
    await read();
    const wall = performance.now() - startedAt;
    console.log(`| ${name} | ${pid ? cpuMs(pid) - cpuBefore : 'n/a'} | ${wall.toFixed(0)} |`);
  }
  await connection.dropDatabase();
  await connection.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
