/** Milliseconds in an hour: epoch milliseconds have no leap seconds, so every UTC hour is this long. */
export const HOUR_MS = 3_600_000;

/** The hour number (hours since 1970-01-01T00:00Z) of an instant, by floor division: right before 1970 too. */
export const hourOf = (ms: number) => Math.floor(ms / HOUR_MS);
/** The first instant of an hour. */
export const hourStart = (hour: number) => hour * HOUR_MS;
/** The last instant (millisecond) of an hour. */
export const hourEnd = (hour: number) => (hour + 1) * HOUR_MS - 1;
