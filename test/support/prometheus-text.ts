// A strict reader of Prometheus' text exposition format 0.0.4, for specs: any line it does not
// understand is an error, so a malformed exposition fails the test that reads it.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly samples: readonly Sample[];
  /** `# TYPE` of each metric family. */
  readonly types: ReadonlyMap<string, string>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function fail(line: string, why: string): never {
  throw new Error(`not exposition format (${why}): ${JSON.stringify(line)}`);
}

function parseLabels(line: string, text: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let at = 0;
  for (;;) {
    if (text[at] === '}') return { labels, rest: text.slice(at + 1) };
    const name = LABEL_NAME.exec(text.slice(at))?.[0] ?? fail(line, 'label name');
    at += name.length;
    if (text.slice(at, at + 2) !== '="') fail(line, 'label =');
    at += 2;
    let value = '';
    for (;;) {
      const c = text[at++];
      if (c === undefined) fail(line, 'unterminated label value');
      if (c === '"') break;
      if (c === '\\') {
        const e = text[at++];
        if (e === 'n') value += '\n';
        else if (e === '\\' || e === '"') value += e;
        else fail(line, 'label escape');
      } else value += c;
    }
    if (name in labels) fail(line, `label ${name} twice`);
    labels[name] = value;
    if (text[at] === ',') at++;
    else if (text[at] !== '}') fail(line, 'label separator');
  }
}

function parseValue(line: string, text: string): number {
  if (!VALUE.test(text)) fail(line, 'value');
  if (text.endsWith('Inf')) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/** The family a sample belongs to (histogram and summary samples carry a suffix). */
function family(name: string, types: ReadonlyMap<string, string>): string | undefined {
  if (types.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return types.has(base) ? base : undefined;
}

export function parseExposition(body: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  if (body.length > 0 && !body.endsWith('\n')) fail(body.slice(-40), 'no final newline');
  for (const line of body.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      if (!m) {
        if (/^# (HELP|TYPE)\b/.test(line)) fail(line, 'HELP or TYPE');
        continue; // a plain comment
      }
      if (m[1] === 'TYPE') {
        if (!TYPES.has(m[3]!)) fail(line, 'type');
        if (types.has(m[2]!)) fail(line, 'TYPE twice');
        types.set(m[2]!, m[3]!);
      }
      continue;
    }
    const name = NAME.exec(line)?.[0] ?? fail(line, 'metric name');
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(line, rest.slice(1)));
    const parts = rest.split(' ');
    if (parts[0] !== '' || parts.length < 2 || parts.length > 3) fail(line, 'value and timestamp');
    if (parts.length === 3 && !/^-?\d+$/.test(parts[2]!)) fail(line, 'timestamp');
    if (family(name, types) === undefined) fail(line, 'sample before its TYPE');
    samples.push({ name, labels, value: parseValue(line, parts[1]!) });
  }
  return { samples, types };
}

/** Samples of `name` whose labels include `labels`. */
export function samplesOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The one sample of `name` with exactly `labels`, or 0 when there is none yet (a counter not yet touched). */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const exact = samplesOf(exposition, name, labels).filter((s) => Object.keys(s.labels).length === Object.keys(labels).length);
  if (exact.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} appears ${exact.length} times`);
  return exact[0]?.value ?? 0;
}
