import { TestDatabase } from '../../support/test-database';

/**
 * TestDatabase on a dedicated FerretDB instead of the shared test stack. TestDatabase finds its server
 * through FERRETDB_PORT (test/support/infra.ts) when it connects, so the port is swapped for the
 * duration of that call only; the connection keeps the URI it was given.
 */
export async function connectTestDatabaseAt(port: number, name: string): Promise<TestDatabase> {
  const shared = process.env.FERRETDB_PORT;
  process.env.FERRETDB_PORT = String(port);
  try {
    return await TestDatabase.connect(name);
  } finally {
    if (shared === undefined) delete process.env.FERRETDB_PORT;
    else process.env.FERRETDB_PORT = shared;
  }
}
