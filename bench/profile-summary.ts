import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/**
 * Top self-time functions of a V8 .cpuprofile (node --cpu-prof; BENCH_CPU_PROF=1 writes one per
 * dispatcher): `node -r ts-node/register/transpile-only bench/profile-summary.ts <file> [top]`.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, top = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
  const where = url ? `${relative(process.cwd(), url.replace('file://', ''))}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'} ${where}`.trim();
  selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
  total += delta;
});
const busy = total - (selfMicros.get('(idle)') ?? 0);
console.log(`profile ${(total / 1e6).toFixed(1)} s, of which not idle ${(busy / 1e6).toFixed(1)} s`);
console.log('| self ms | % of total | % of non-idle | function |\n|---:|---:|---:|---|');
for (const [key, micros] of [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  const ofBusy = key === '(idle)' ? '' : ((100 * micros) / busy).toFixed(1);
  console.log(`| ${(micros / 1000).toFixed(0)} | ${((100 * micros) / total).toFixed(1)} | ${ofBusy} | \`${key}\` |`);
}
