import { Schema } from 'mongoose';

export const MIGRATION_MODEL = 'Migration';

/** A one-time data migration that ran to its end (SchemaMigrator); `_id` is its name, which never changes. */
export interface MigrationDocument {
  _id: string;
  completedAt: Date;
}

export const MigrationSchema = new Schema<MigrationDocument>(
  {
    _id: { type: String, required: true },
    completedAt: { type: Date, required: true },
  },
  { collection: 'migrations', versionKey: false },
);
