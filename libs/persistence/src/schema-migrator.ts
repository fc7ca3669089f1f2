import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import { ApiTokenRepository } from './api-token/api-token.repository';
import { isDuplicateKeyOnly } from './duplicate-key';
import { MIGRATION_MODEL, MigrationDocument } from './migration/migration.schema';
import { WebhookSecretResealer } from './webhook/webhook-secret-resealer';

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

/** A one-time data change; idempotent, since processes starting together may run it at the same time. */
interface DataMigration {
  /** Recorded in the migrations collection once done: never rename one. */
  id: string;
  run(): Promise<string>;
}

@Injectable()
export class SchemaMigrator implements OnModuleInit {
  private readonly logger = new Logger(SchemaMigrator.name);
  private readonly dataMigrations: DataMigration[] = [
    {
      id: 'encrypt-webhook-secrets',
      run: async () => {
        const { resealed } = await this.resealer.resealAll('plaintext');
        return `encrypted the signing secrets of ${resealed} webhook(s) stored in plaintext`;
      },
    },
    {
      id: 'api-token-scope-and-expiry',
      run: async () => `gave ${await this.tokens.giveScopeToOlderTokens()} older API token(s) full scope and no expiry`,
    },
  ];

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly resealer: WebhookSecretResealer,
    private readonly tokens: ApiTokenRepository,
  ) {}

  // onModuleInit runs before any consumer starts (they start on application bootstrap), so creations
  // never race this process's own traffic.
  async onModuleInit(): Promise<void> {
    const created = await ensureSchema(this.connection);
    if (created.length > 0) this.logger.log(`Created ${created.join(', ')}`);
    await this.runDataMigrations();
  }

  /** Runs the data migrations not yet recorded as done; a start after they all ran costs one read. */
  private async runDataMigrations(): Promise<void> {
    const migrations = this.connection.model<MigrationDocument>(MIGRATION_MODEL).collection;
    const ids = this.dataMigrations.map((migration) => migration.id);
    const rows = await migrations.find({ _id: { $in: ids } } as never).toArray();
    const done = new Set(rows.map((row) => String(row._id)));
    for (const migration of this.dataMigrations.filter(({ id }) => !done.has(id))) {
      const summary = await migration.run();
      await migrations
        .updateOne({ _id: migration.id } as never, { $setOnInsert: { completedAt: new Date() } }, { upsert: true })
        .catch((error: unknown) => {
          // Another process recorded it first.
          if (!isDuplicateKeyOnly(error)) throw error;
        });
      this.logger.log(`Migration ${migration.id}: ${summary}`);
    }
  }
}
