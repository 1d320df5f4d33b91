/** The directions sessions can be listed in: by (started_at, id), ascending or its exact reverse. */
export const SESSION_ORDERS = ['asc', 'desc'] as const;

export type SessionOrder = (typeof SESSION_ORDERS)[number];

export const DEFAULT_SESSION_ORDER: SessionOrder = 'asc';
