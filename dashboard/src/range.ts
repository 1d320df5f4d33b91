/** The date ranges a view can show, kept in its URL (`?range=7d`, or `?range=custom&from=…&to=…`). */
export type Preset = 'today' | '7d' | '30d' | '90d' | 'custom';

export const PRESETS: readonly { value: Preset; label: string }[] = [
  { value: 'today', label: 'Today' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: '90d', label: 'Last 90 days' },
  { value: 'custom', label: 'Custom' },
];

export const DEFAULT_PRESET: Preset = '30d';
const DAYS: Record<string, number> = { today: 1, '7d': 7, '30d': 30, '90d': 90 };
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface Range {
  readonly preset: Preset;
  /** Local calendar days, inclusive, as YYYY-MM-DD. */
  readonly from: string;
  readonly to: string;
  /** The instants the API is asked for: the first day's local midnight to the last day's last millisecond. */
  readonly startDate: string;
  readonly endDate: string;
}

export function localDate(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

function parseLocalDate(text: string | null): Date | null {
  const match = text === null ? null : LOCAL_DATE.exec(text);
  if (!match) return null;
  const day = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return localDate(day) === text ? day : null;
}

function between(from: Date, to: Date, preset: Preset): Range {
  const end = new Date(to.getFullYear(), to.getMonth(), to.getDate() + 1, 0, 0, 0, -1);
  return { preset, from: localDate(from), to: localDate(to), startDate: from.toISOString(), endDate: end.toISOString() };
}

/** The range a URL's query names; anything unreadable falls back to the default preset. */
export function rangeOf(search: URLSearchParams, now = new Date()): Range {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const preset = search.get('range') ?? DEFAULT_PRESET;
  if (preset === 'custom') {
    const from = parseLocalDate(search.get('from'));
    const to = parseLocalDate(search.get('to'));
    if (from && to && from <= to) return between(from, to, 'custom');
  }
  const days = DAYS[preset] ?? DAYS[DEFAULT_PRESET]!;
  const first = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1));
  return between(first, today, (preset in DAYS ? preset : DEFAULT_PRESET) as Preset);
}

/** The query that names a range. */
export function rangeSearch(preset: Preset, from?: string, to?: string): URLSearchParams {
  const search = new URLSearchParams({ range: preset });
  if (preset === 'custom' && from && to) {
    search.set('from', from);
    search.set('to', to);
  }
  return search;
}

/** Every UTC day (YYYY-MM-DD) the range touches, for charts whose groups are UTC days. */
export function utcDays(range: Range): string[] {
  const days: string[] = [];
  const last = range.endDate.slice(0, 10);
  for (let at = new Date(`${range.startDate.slice(0, 10)}T00:00:00Z`); ; at = new Date(at.getTime() + 86_400_000)) {
    const day = at.toISOString().slice(0, 10);
    days.push(day);
    if (day >= last || days.length > 400) return days;
  }
}
