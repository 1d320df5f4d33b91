import { colourEnabled, styler } from './terminal-style.js';

const WIDTH = 30;

export interface ProgressBar {
  update(done: number, total: number, detail: string): void;
  clear(): void;
}

/** A one-line bar redrawn in place on a terminal's stderr; null when stderr is not a terminal. */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): ProgressBar | null {
  if (!stream.isTTY) return null;
  const style = styler(colourEnabled(stream));
  let drawn = false;
  return {
    update(done, total, detail) {
      const filled = total === 0 ? WIDTH : Math.min(WIDTH, Math.round((done / total) * WIDTH));
      stream.write(`\r[${style.green('#'.repeat(filled))}${style.dim('-'.repeat(WIDTH - filled))}] ${detail}`);
      drawn = true;
    },
    clear() {
      if (drawn) stream.write('\r\u001b[2K');
    },
  };
}
