import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection } from 'mongoose';

/**
 * Creates the collections and indexes the models declare, and only those that are missing.
 *
 * Mongoose's autoCreate/autoIndex would issue createCollection and createIndexes on every start, even
 * when everything exists. A database may take an exclusive catalogue lock for those (FerretDB does, and
 * deadlocks when they race with a burst of writes), so a dispatcher joining a busy group must not send
 * them. Reading the catalogue first makes a restart read-only; the creations run one at a time.
 */
export async function ensureSchema(connection: Connection): Promise<string[]> {
  const db = connection.db;
  if (!db) throw new Error('ensureSchema needs an open connection');
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  const created: string[] = [];
  for (const model of Object.values(connection.models)) {
    const name = model.collection.collectionName;
    if (!existing.has(name)) {
      await db.createCollection(name).catch((error: { codeName?: string }) => {
        // Another process created it between our read and our write.
        if (error.codeName !== 'NamespaceExists') throw error;
      });
      existing.add(name);
      created.push(name);
    }
    const { toCreate } = await model.diffIndexes();
    if (toCreate.length > 0) {
      await model.createIndexes();
      created.push(`${name} indexes (${toCreate.length})`);
    }
  }
  return created;
}

@Injectable()
export class SchemaMigrator implements OnModuleInit {
  private readonly logger = new Logger(SchemaMigrator.name);

  constructor(@InjectConnection() private readonly connection: Connection) {}

  // onModuleInit runs before any consumer starts (they start on application bootstrap), so creations
  // never race this process's own traffic.
  async onModuleInit(): Promise<void> {
    const created = await ensureSchema(this.connection);
    if (created.length > 0) this.logger.log(`Created ${created.join(', ')}`);
  }
}
