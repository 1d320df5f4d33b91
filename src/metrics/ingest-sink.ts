/** What one committed ingestion did with its events. */
export interface IngestCounts {
  /** New events written. */
  readonly stored: number;
  /** Valid events already stored (not written again). */
  readonly duplicates: number;
  /** Events that failed validation. */
  readonly rejected: number;
}

/** Told the outcome of each committed ingestion (metrics); absent where nobody counts. */
export interface IngestSink {
  eventsIngested(counts: IngestCounts): void;
}
