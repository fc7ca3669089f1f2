import { TestDatabase } from '../../support/test-database';

/**
 * TestDatabase on a dedicated FerretDB instead of the shared test stack. TestDatabase finds its server
 * through MONGODB_URI, else FERRETDB_PORT (test/support/infra.ts), when it connects, so both are swapped
 * for the duration of that call only; the connection keeps the URI it was given.
 */
export async function connectTestDatabaseAt(port: number, name: string): Promise<TestDatabase> {
  const shared = { MONGODB_URI: process.env.MONGODB_URI, FERRETDB_PORT: process.env.FERRETDB_PORT };
  process.env.MONGODB_URI = `mongodb://127.0.0.1:${port}`;
  process.env.FERRETDB_PORT = String(port);
  try {
    return await TestDatabase.connect(name);
  } finally {
    for (const [key, value] of Object.entries(shared)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
