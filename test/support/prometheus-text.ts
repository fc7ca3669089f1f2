/**
 * Reads what /metrics serves. prom-client writes Prometheus' text format but has no reader, and these
 * few lines cover all it writes: `name{a="x",b="y"} value`, with \\, \" and \n escaped in label values.
 */

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/;
const LABEL = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g;
const ESCAPED = { '\\\\': '\\', '\\"': '"', '\\n': '\n' } as Record<string, string>;

/** Every sample in the exposition; comments (# HELP, # TYPE) are skipped. Throws on a line it cannot read. */
export function parsePrometheusText(text: string): MetricSample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = SAMPLE_LINE.exec(line);
      if (!match) throw new Error(`Unreadable metrics line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(LABEL)].map(([, key, value]) => [
          key,
          value.replace(/\\[\\"n]/g, (escape) => ESCAPED[escape]),
        ]),
      );
      return { name: match[1], labels, value: valueOf(match[3]) };
    });
}

function valueOf(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text); // NaN for "NaN"
}

/** The samples of metric `name` whose labels include all of `labels`. */
export function samplesOf(samples: MetricSample[], name: string, labels: Record<string, string> = {}): MetricSample[] {
  return samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}
