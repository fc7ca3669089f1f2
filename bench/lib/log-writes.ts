import { randomUUID } from 'node:crypto';
import { DeliveryLogV1 } from '@app/contracts';
import {
  attemptDocumentOf,
  DELIVERY_ATTEMPT_MODEL,
  DeliveryAttemptDocument,
  DeliveryAttemptRepository,
} from '@app/persistence';
import { deliveryLog } from '../../test/support/delivery-log';
import { BenchDatabase } from './bench-database';

/** The log writer persists Kafka batches in slices of this many logs (DeliveryLogConsumer PERSIST_SLICE). */
export const LOG_SLICE = 100;

export interface LogWritesResult {
  documents: number;
  slice: number;
  nativeWritesPerSec: number;
  repositoryWritesPerSec: number;
  /** repository ÷ native. */
  ratio: number;
}

/**
 * (5) Attempt-log writes: DeliveryAttemptRepository.insertLogs (what PersistDeliveryLogsUseCase calls
 * first: an unordered insertMany, and a read of the stored ids only after a duplicate) against the driver's
 * insertMany of the same documents, LOG_SLICE at a time, each into its own empty database with the
 * project's indexes. Sequential slices: one writer, as one log-writer partition is.
 */
export async function measureLogWrites(
  mongoUriOf: (suffix: string) => string,
  documents: number,
): Promise<LogWritesResult> {
  const logs = Array.from({ length: documents }, (_, index) => attemptLog(index));
  const native = await BenchDatabase.connect(mongoUriOf('native'));
  const repositoryDb = await BenchDatabase.connect(mongoUriOf('repository'));
  try {
    const collection = native.collection(DELIVERY_ATTEMPT_MODEL);
    const nativeSeconds = await timeSlices(logs, async (slice) => {
      await collection.insertMany(slice.map((log) => attemptDocumentOf(log, new Date())) as never[], {
        ordered: false,
      });
    });
    const repository = new DeliveryAttemptRepository(
      repositoryDb.connection.model<DeliveryAttemptDocument>(DELIVERY_ATTEMPT_MODEL),
    );
    const repositorySeconds = await timeSlices(logs, async (slice) => {
      await repository.insertLogs(slice);
    });
    const nativeWritesPerSec = documents / nativeSeconds;
    const repositoryWritesPerSec = documents / repositorySeconds;
    return {
      documents,
      slice: LOG_SLICE,
      nativeWritesPerSec,
      repositoryWritesPerSec,
      ratio: repositoryWritesPerSec / nativeWritesPerSec,
    };
  } finally {
    await native.close();
    await repositoryDb.close();
  }
}

async function timeSlices(logs: DeliveryLogV1[], write: (slice: DeliveryLogV1[]) => Promise<void>): Promise<number> {
  const startedAt = performance.now();
  for (let start = 0; start < logs.length; start += LOG_SLICE) await write(logs.slice(start, start + LOG_SLICE));
  return (performance.now() - startedAt) / 1000;
}

const tenantId = `bench-logs-${randomUUID().slice(0, 8)}`;
const webhookIds = Array.from({ length: 50 }, () => randomUUID());

function attemptLog(index: number): DeliveryLogV1 {
  return deliveryLog({
    tenantId,
    webhookId: webhookIds[index % webhookIds.length],
    url: `http://127.0.0.1:9/r/logs/${index % webhookIds.length}`,
    durationMs: 3,
  });
}
