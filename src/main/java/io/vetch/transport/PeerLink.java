package io.vetch.transport;

import io.vertx.core.Vertx;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.function.Function;

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
  private final ArrayDeque<ByteBuf> queued = new ArrayDeque<>();
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

  /**
   * Sends the frame made by frame, from the socket's allocator: in direct memory, which the socket writes without a
   * copy. Returns the frame's length.
   */
  int send(Function<ByteBufAllocator, ByteBuf> frame) {
    ByteBuf buf = frame.apply(socket instanceof NetSocketInternal s ? s.channelHandlerContext().alloc()
        : ByteBufAllocator.DEFAULT);
    int length = buf.readableBytes();
    send(buf);
    return length;
  }

  void send(Buffer frame) {
    send(((BufferInternal) frame).getByteBuf());
  }

  /** Writes or queues frame, which this link then owns: written, or released when dropped. */
  private void send(ByteBuf frame) {
    if (socket != null && !socket.writeQueueFull()) {
      write(frame);
      return;
    }
    if (queued.size() == MAX_QUEUED) {
      queued.poll().release();
    }
    queued.add(frame);
    dial();
  }

  private void write(ByteBuf frame) {
    ((NetSocketInternal) socket).writeMessage(frame); // the channel releases it once written or failed
  }

  private void dropQueued() {
    ByteBuf b;
    while ((b = queued.poll()) != null) {
      b.release();
    }
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
        dropQueued();
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
      write(queued.poll());
    }
  }

  void close() {
    closed = true;
    dropQueued();
    if (socket != null) {
      socket.close();
    }
  }
}
