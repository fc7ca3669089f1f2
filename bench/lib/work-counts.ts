import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModuleKind, ScriptTarget, transpileModule } from 'typescript';
import { REPO_ROOT } from './app-process';
import type { WorkCounts } from './work-counter-preload';

/** What a process asked of MongoDB and Kafka over a measured window, per delivery. */
export interface WorkPerDelivery {
  mongoCommands: number;
  mongoCommandsByName: Record<string, number>;
  documentsWritten: number;
  kafkaProduceRequests: number;
  /** Every kafkajs request (producers and consumers), by API name. */
  kafkaRequestsByApi: Record<string, number>;
  /** MongoDB commands and documents written by command and collection ("update events"). */
  mongoCommandsByCollection: Record<string, number>;
  documentsWrittenByCollection: Record<string, number>;
}

let preloadFile: string | undefined;

/**
 * `node` arguments that load work-counter-preload.ts, as plain JavaScript under .run/bench/ (where
 * `mongodb` and `kafkajs` resolve to the apps' own copies). Set BENCH_WORK_COUNTS_PORT in its env.
 */
export function workCounterArgs(): string[] {
  if (!preloadFile) {
    const source = readFileSync(join(__dirname, 'work-counter-preload.ts'), 'utf8');
    const { outputText } = transpileModule(source, {
      compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022 },
    });
    const dir = join(REPO_ROOT, '.run/bench');
    mkdirSync(dir, { recursive: true });
    preloadFile = join(dir, 'work-counter-preload.js');
    // Renamed into place: a bench and the smoke test may write it at the same time.
    const temporary = `${preloadFile}.${process.pid}`;
    writeFileSync(temporary, outputText);
    renameSync(temporary, preloadFile);
  }
  return ['-r', preloadFile];
}

/** The counts of some instrumented processes, summed. */
export async function scrapeWorkCounts(ports: number[]): Promise<WorkCounts> {
  const keys = [
    'mongoCommands',
    'mongoWrites',
    'kafkaRequests',
    'mongoCommandsByCollection',
    'mongoWritesByCollection',
  ] as const;
  const total = Object.fromEntries(keys.map((key) => [key, {}])) as unknown as WorkCounts;
  for (const port of ports) {
    const counts = (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as WorkCounts;
    for (const key of keys) {
      for (const [name, value] of Object.entries(counts[key] ?? {})) total[key][name] = (total[key][name] ?? 0) + value;
    }
  }
  return total;
}

export function workPerDelivery(before: WorkCounts, after: WorkCounts, deliveries: number): WorkPerDelivery {
  const perDelivery = (key: keyof WorkCounts) =>
    Object.fromEntries(
      Object.entries(after[key] ?? {})
        .map(([name, value]) => [name, (value - (before[key]?.[name] ?? 0)) / deliveries] as const)
        .filter(([, value]) => value > 0)
        .sort(([, a], [, b]) => b - a),
    );
  const sum = (tally: Record<string, number>) => Object.values(tally).reduce((total, value) => total + value, 0);
  const mongoCommandsByName = perDelivery('mongoCommands');
  const kafkaRequestsByApi = perDelivery('kafkaRequests');
  return {
    mongoCommands: sum(mongoCommandsByName),
    mongoCommandsByName,
    documentsWritten: sum(perDelivery('mongoWrites')),
    kafkaProduceRequests: kafkaRequestsByApi.Produce ?? 0,
    kafkaRequestsByApi,
    mongoCommandsByCollection: perDelivery('mongoCommandsByCollection'),
    documentsWrittenByCollection: perDelivery('mongoWritesByCollection'),
  };
}
