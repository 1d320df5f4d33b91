const UNITS = ['KiB', 'MiB', 'GiB'] as const;

/** `800 B`, `512 KiB`, `31.2 MiB`: one decimal below 100 of a unit, none above. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit: string = 'B';
  for (const next of UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  const shown = value < 100 && !Number.isInteger(value) ? value.toFixed(1).replace(/\.0$/, '') : String(Math.round(value));
  return `${shown} ${unit}`;
}
