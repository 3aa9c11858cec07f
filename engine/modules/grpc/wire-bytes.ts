/**
 * data_sent / data_received for gRPC traffic. k6 counts the bytes that cross each TCP connection a
 * VU dials (HTTP/2 frames, headers, TLS records and all) and adds them to the VU's data_sent /
 * data_received when the iteration ends. grpc-js creates its sockets itself, so the Client hands it
 * credentials that see each raw socket as the channel connects (`CountingCredentials`, a
 * ChannelCredentials that wraps the real one), and `WireBytes` reads the sockets' byte counters.
 */
import type { Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';

type SecureConnector = ReturnType<grpc.ChannelCredentials['_createSecureConnector']>;

/** The TCP sockets of one client and how much of their traffic has been counted already. */
export class WireBytes {
  private readonly sockets = new Map<Socket, { sent: number; received: number }>();

  watch(socket: Socket): void {
    if (!this.sockets.has(socket)) this.sockets.set(socket, { sent: 0, received: 0 });
  }

  /** The bytes moved since the last call, over every socket; closed sockets are counted a last time and forgotten. */
  take(): { sent: number; received: number } {
    let sent = 0;
    let received = 0;
    for (const [socket, seen] of this.sockets) {
      sent += socket.bytesWritten - seen.sent;
      received += socket.bytesRead - seen.received;
      seen.sent = socket.bytesWritten;
      seen.received = socket.bytesRead;
      if (socket.destroyed) this.sockets.delete(socket);
    }
    return { sent, received };
  }
}

/**
 * The real credentials (insecure or TLS), plus a look at every socket before it is secured.
 * Equal only to itself, so no other client's channel shares its connections (k6 dials one
 * connection per VU's connect()).
 */
export class CountingCredentials extends grpc.ChannelCredentials {
  constructor(
    private readonly inner: grpc.ChannelCredentials,
    private readonly onSocket: (socket: Socket) => void,
  ) {
    super();
  }
  compose(callCredentials: grpc.CallCredentials): grpc.ChannelCredentials {
    return new CountingCredentials(this.inner.compose(callCredentials), this.onSocket);
  }
  _isSecure(): boolean {
    return this.inner._isSecure();
  }
  _equals(other: grpc.ChannelCredentials): boolean {
    return other === this;
  }
  _createSecureConnector(...args: Parameters<grpc.ChannelCredentials['_createSecureConnector']>): SecureConnector {
    const c = this.inner._createSecureConnector(...args);
    return {
      connect: (socket: Socket) => {
        this.onSocket(socket);
        return c.connect(socket);
      },
      waitForReady: () => c.waitForReady(),
      getCallCredentials: () => c.getCallCredentials(),
      destroy: () => c.destroy(),
    };
  }
}
