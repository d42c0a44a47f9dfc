/** One sample of a Prometheus text exposition. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  /** Metric family name -> its TYPE (counter, gauge, histogram, summary, untyped). */
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL_PAIR = new RegExp(`^(${LABEL})="((?:[^"\\\\]|\\\\[\\\\"n])*)"(?:,|$)`);
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`not a sample value: ${line}`);
  return value;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const match = LABEL_PAIR.exec(rest);
    if (match === null) throw new Error(`malformed labels: ${line}`);
    const [all, name = '', raw = ''] = match;
    if (name in labels) throw new Error(`label ${name} twice: ${line}`);
    labels[name] = raw.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    rest = rest.slice(all.length);
  }
  return labels;
}

/**
 * Parses the Prometheus text format (version 0.0.4) strictly: every line is a `# HELP`, a `# TYPE`
 * before its family's samples, or a sample of a declared family; throws on anything else.
 */
export function parsePrometheusText(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
      if (type !== null) {
        const [, name = '', kind = ''] = type;
        if (types.has(name)) throw new Error(`TYPE of ${name} twice`);
        types.set(name, kind);
        continue;
      }
      if (new RegExp(`^# HELP ${NAME} `).test(line)) continue;
      throw new Error(`malformed comment: ${line}`);
    }
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`malformed sample: ${line}`);
    const [, name = '', labelText = '', valueText = ''] = match;
    const family = types.has(name)
      ? name
      : SUFFIXES.map((suffix) => (name.endsWith(suffix) ? name.slice(0, -suffix.length) : ''))
          .filter((base) => types.has(base))
          .at(0);
    if (family === undefined) throw new Error(`sample of an undeclared metric: ${line}`);
    const labels = parseLabels(labelText, line);
    const key = `${name}{${Object.entries(labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}}`;
    if (seen.has(key)) throw new Error(`sample twice: ${line}`);
    seen.add(key);
    samples.push({ name, labels, value: parseValue(valueText, line) });
  }
  return { types, samples };
}

/** The sum of the samples of `name` whose labels include `labels`. */
export function sumOf(
  exposition: Exposition,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  return exposition.samples
    .filter(
      (sample) =>
        sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}
