import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';

/**
 * Why the dispatcher waits: how the database's cost of the dispatcher's query shapes grows with the
 * collection. For collections of growing size, times (median of 5) a find by 100 `_id`s with `$in`
 * (findByIds, insertLogs' duplicate check), a 100-statement unordered bulkWrite of updateOne by `_id`
 * (claims, applyAttempts) and a find by one `_id`. Run against the bench stack:
 *   node -r ts-node/register/transpile-only bench/ferretdb-probe.ts [mongodb://127.0.0.1:59117]
 */
const base = process.argv[2] ?? `mongodb://127.0.0.1:${process.env.BENCH_FERRETDB_PORT || 59117}`;
const sizes = [1_000, 5_000, 20_000];

async function median(times: number, run: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let index = 0; index < times; index += 1) {
    const startedAt = performance.now();
    await run();
    samples.push(performance.now() - startedAt);
  }
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)];
}

async function main(): Promise<void> {
  const connection = await mongoose.createConnection(`${base}/bench_probe_${Date.now()}`).asPromise();
  const collection = connection.db!.collection<{ _id: string; n: number; pad: string }>('probe');
  const ids: string[] = [];
  console.log('| documents | find $in 100 _ids ms | bulkWrite 100 updateOne by _id ms | find one _id ms |');
  console.log('|---:|---:|---:|---:|');
  for (const size of sizes) {
    const batch = Array.from({ length: size - ids.length }, (_, index) => ({
      _id: randomUUID(),
      n: ids.length + index,
      pad: 'x'.repeat(200),
    }));
    for (let start = 0; start < batch.length; start += 5_000)
      await collection.insertMany(batch.slice(start, start + 5_000));
    ids.push(...batch.map(({ _id }) => _id));
    const some = () => Array.from({ length: 100 }, () => ids[Math.floor(Math.random() * ids.length)]);
    const findIn = await median(5, () => collection.find({ _id: { $in: some() } }).toArray());
    const bulk = await median(5, () =>
      collection.bulkWrite(
        some().map((_id) => ({ updateOne: { filter: { _id }, update: { $set: { touched: new Date() } } } })),
        { ordered: false },
      ),
    );
    const findOne = await median(5, () => collection.findOne({ _id: some()[0] }));
    console.log(`| ${size} | ${findIn.toFixed(1)} | ${bulk.toFixed(1)} | ${findOne.toFixed(1)} |`);
  }
  await connection.close();
}

main().catch((error: Error) => {
  console.error(error.stack ?? error);
  process.exit(1);
});
