/** Milliseconds in a UTC day: the API counts days in UTC, and epoch milliseconds have no leap seconds. */
export const DAY_MS = 86_400_000;

/** The UTC day number (days since 1970-01-01) of an instant, by floor division: right before 1970 too. */
export const dayOf = (ms: number) => Math.floor(ms / DAY_MS);
/** The first instant of a UTC day. */
export const dayStart = (day: number) => day * DAY_MS;
/** The last instant (millisecond) of a UTC day. */
export const dayEnd = (day: number) => (day + 1) * DAY_MS - 1;
