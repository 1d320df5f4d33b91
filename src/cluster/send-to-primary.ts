import type { ClusterMessage } from './cluster-message.js';

export class PrimaryGoneError extends Error {
  constructor() {
    super('the primary process of this gateway is gone');
  }
}

/** Resolves once the message is handed to the IPC channel; fails when the primary is gone. */
export function sendToPrimary(message: ClusterMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send || !process.connected) {
      reject(new PrimaryGoneError());
      return;
    }
    process.send(message, undefined, undefined, (error) => (error ? reject(error) : resolve()));
  });
}
