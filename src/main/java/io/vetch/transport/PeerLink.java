package io.vetch.transport;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.util.ArrayDeque;

/**
 * The outbound connection to one peer, owned by the transport verticle's event loop. Connects lazily, redials with
 * exponential backoff, and never blocks or throws: while the link is connecting or its write queue is full, frames
 * are kept in a small bounded queue and the oldest are dropped past it; a failed dial drops them all, so a peer that
 * is down costs no memory and gets no stale backlog when it returns. Raft resends what it needs; a dropped
 * forwarded proposal times out at its client.
 */
final class PeerLink {
  private static final System.Logger LOG = System.getLogger(PeerLink.class.getName());
  private static final int MAX_QUEUED = 1024;
  private static final long MIN_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 2000;

  private final Vertx vertx;
  private final NetClient client;
  private final long peerId;
  private final URI url;
  private final Buffer hello;
  private final ArrayDeque<Buffer> queued = new ArrayDeque<>();
  private NetSocket socket;
  private boolean dialing;
  private long backoffMs = MIN_BACKOFF_MS;
  private boolean closed;

  PeerLink(Vertx vertx, NetClient client, long peerId, URI url, Buffer hello) {
    this.vertx = vertx;
    this.client = client;
    this.peerId = peerId;
    this.url = url;
    this.hello = hello;
  }

  URI url() {
    return url;
  }

  void send(Buffer frame) {
    if (socket != null && !socket.writeQueueFull()) {
      socket.write(frame);
      return;
    }
    if (queued.size() == MAX_QUEUED) {
      queued.poll();
    }
    queued.add(frame);
    dial();
  }

  private void dial() {
    if (socket != null || dialing || closed) {
      return;
    }
    dialing = true;
    client.connect(url.getPort(), url.getHost()).onComplete(ar -> {
      dialing = false;
      if (closed) {
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      if (ar.failed()) {
        queued.clear();
        LOG.log(System.Logger.Level.DEBUG, "peer {0} at {1} unreachable: {2}", Long.toHexString(peerId), url,
            ar.cause().getMessage());
        vertx.setTimer(backoffMs, t -> dial());
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        return;
      }
      backoffMs = MIN_BACKOFF_MS;
      socket = ar.result();
      FlushCoalescing.socket(socket); // a Ready's messages to this peer leave in one write
      socket.closeHandler(v -> {
        socket = null;
        if (!queued.isEmpty()) {
          dial();
        }
      });
      socket.exceptionHandler(e -> LOG.log(System.Logger.Level.DEBUG, "peer {0}: {1}", Long.toHexString(peerId),
          e.getMessage()));
      socket.drainHandler(v -> flush());
      socket.write(hello);
      flush();
    });
  }

  private void flush() {
    while (socket != null && !queued.isEmpty() && !socket.writeQueueFull()) {
      socket.write(queued.poll());
    }
  }

  void close() {
    closed = true;
    queued.clear();
    if (socket != null) {
      socket.close();
    }
  }
}
