// Another process holding the SQLite write lock (as `sqlite3 FILE 'BEGIN IMMEDIATE;…'` left open, or
// an import, would): `node --import tsx bench/attacks/hold-write-lock.ts FILE MS`. Prints `locked`
// once it holds the lock, commits and exits after MS milliseconds.
import Database from 'better-sqlite3';

const [file, ms] = process.argv.slice(2);
if (!file || !ms) {
  process.stderr.write('usage: hold-write-lock.ts FILE MS\n');
  process.exit(2);
}
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 10000');
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\n');
setTimeout(() => {
  db.exec('COMMIT');
  db.close();
  process.exit(0);
}, Number(ms));
