/**
 * Colour only on a terminal, and never when NO_COLOR is set to anything (no-color.org) or
 * TERM=dumb. Output that a script reads stays plain.
 */
export function colourEnabled(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
}

export function styler(enabled: boolean) {
  const wrap = (open: number, close: number) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { green: wrap(32, 39), dim: wrap(2, 22), bold: wrap(1, 22), red: wrap(31, 39) };
}
