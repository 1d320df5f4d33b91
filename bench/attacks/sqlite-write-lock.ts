// Attack 7 (issue 15): another process holds the SQLite file's write lock for 5 s (BEGIN IMMEDIATE
// through better-sqlite3) while a reader keeps asking for its sessions and /healthz is polled.
// Reads need no write lock in WAL mode: a gateway whose reads write (or wait on the event loop) stalls.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, track } from '../processes.js';
import type { AttackLab } from './attack-lab.js';
import { summarizeAnswers } from './answer-summary.js';
import { httpCall, type HttpAnswer } from './http-call.js';

const HOLD_MS = 5000;

function holdWriteLock(file: string): { locked: Promise<void>; released: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'attacks', 'hold-write-lock.ts'), file, String(HOLD_MS)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  track(child);
  const released = new Promise<void>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the lock holder exited with ${code}`)))));
  const locked = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => line === 'locked' && resolve());
    released.catch(reject);
  });
  return { locked, released };
}

export async function sqliteWriteLock(lab: AttackLab): Promise<void> {
  const label = `SQLite write lock held by another process for ${HOLD_MS / 1000} s, reads going on`;
  if (lab.engine !== 'sqlite') {
    lab.skip(label, 'n/a: SQLite only');
    return;
  }
  const db = await lab.prepare('write-lock', { read: { account: 'reader', scopes: 'read:analytics', tier: 'unlimited' } });
  await lab.measure(label, db, async (gateway, signal) => {
    const holder = holdWriteLock(db.target);
    await holder.locked;
    const lockedAt = performance.now();
    let held = true;
    void holder.released.finally(() => (held = false)).catch(() => {});
    const answers: HttpAnswer[] = [];
    while (held && !signal.aborted) {
      answers.push(await httpCall(`${gateway.url}/api/v1/sessions?limit=10`, { headers: { 'x-api-key': db.keys.read }, timeoutMs: 15_000, signal }));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await holder.released;
    return `lock held ${((performance.now() - lockedAt) / 1000).toFixed(1)} s; reads meanwhile: ${summarizeAnswers(answers)}`;
  });
}
