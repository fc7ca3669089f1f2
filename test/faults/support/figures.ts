import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/infra';

/** One row of the fault table: what was sent, what arrived, what was logged, and how long recovery took. */
export interface FaultFigures {
  fault: string;
  /** Commands (or requests) the service accepted: 201/202 from the API, or messages acknowledged by Kafka. */
  commands: number;
  /** Distinct deliveries (by webhook-id and webhook) the receiver got. */
  delivered: number;
  /** Distinct commands with an attempt logged in MongoDB. */
  logged: number;
  /** POSTs received beyond the first per delivery. */
  duplicates: number;
  /** From the end of the fault (process, broker or database back) to the first delivery after it. */
  recoverySeconds: number | null;
  /** Anything else worth a column: rejected requests, dead letters, latencies. */
  notes?: Record<string, number | string>;
}

const TABLE = join(REPO_ROOT, 'test/artifacts/fault-figures.md');

/**
 * Prints the figures as one JSON line (`FAULT_FIGURES {...}`) and appends a markdown row to
 * test/artifacts/fault-figures.md, so the lead can build the table from either.
 */
export function reportFigures(figures: FaultFigures): void {
  console.log(`FAULT_FIGURES ${JSON.stringify(figures)}`);
  const notes = Object.entries(figures.notes ?? {})
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  const recovery = figures.recoverySeconds === null ? 'n/a' : figures.recoverySeconds.toFixed(1);
  mkdirSync(join(REPO_ROOT, 'test/artifacts'), { recursive: true });
  if (!existsSync(TABLE)) {
    appendFileSync(
      TABLE,
      '| fault | commands accepted | delivered | logged | duplicate POSTs | recovery (s) | notes |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |\n',
    );
  }
  appendFileSync(
    TABLE,
    `| ${figures.fault} | ${figures.commands} | ${figures.delivered} | ${figures.logged} | ${figures.duplicates} | ${recovery} | ${notes} |\n`,
  );
}

/** Seconds from `fromMs` to `toMs`, to one decimal. */
export const secondsBetween = (fromMs: number, toMs: number) => Math.round((toMs - fromMs) / 100) / 10;

export const secondsSince = (startMs: number) => secondsBetween(startMs, Date.now());
