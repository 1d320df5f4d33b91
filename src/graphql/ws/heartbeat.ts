import type { WebSocket } from 'ws';

/**
 * Pings the socket every `periodMs`; a peer that has not answered the previous ping by the next one is gone (a
 * dropped network keeps a quiet socket open for ever otherwise) and `onSilent` is called.
 */
export function startHeartbeat(socket: WebSocket, periodMs: number, onSilent: () => void): { stop(): void } {
  let answered = true;
  const onPong = () => {
    answered = true;
  };
  socket.on('pong', onPong);
  const timer = setInterval(() => {
    if (socket.readyState !== socket.OPEN) return;
    if (!answered) {
      onSilent();
      return;
    }
    answered = false;
    socket.ping();
  }, periodMs).unref();
  return {
    stop() {
      clearInterval(timer);
      socket.off('pong', onPong);
    },
  };
}
