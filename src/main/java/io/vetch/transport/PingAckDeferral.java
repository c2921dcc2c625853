package io.vetch.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 PING acknowledgement is held for at least {@link #MIN_HOLD_MS} ms and then leaves with the connection's
 * next write, behind the frames of that write, instead of in a write of its own. grpc-go clients ping after a
 * response they read whenever no ping of theirs is outstanding, to estimate the bandwidth-delay product: acknowledged
 * at once, every call or two (every watch round) cost the server a frame to read and one to write and the client a
 * ping to write and an acknowledgement to read. Held, a connection carries at most one such ping per
 * {@code MIN_HOLD_MS}, however many calls it serves; and as each estimate then counts the bytes of a whole hold, the
 * client widens its receive windows beyond the 64 KiB it starts with, so its WINDOW_UPDATE frames become rarer too.
 * An acknowledgement with nothing to follow is flushed within {@link #HOLD_MS} ms. Placed under the HTTP/2 codec,
 * where frames are bytes; acknowledgements keep their order among themselves and only move behind later frames,
 * which RFC 9113 allows (PING carries no state). Event loop only. See docs/performance.md, round 41.
 */
final class PingAckDeferral extends ChannelDuplexHandler {
  /**
   * The longest an acknowledgement waits for a write to travel with (keepalive timeouts are seconds: grpc-go's,
   * grpc-java's and grpc-js's default to 20 s, etcdctl's to 6 s).
   */
  static final long HOLD_MS = 50;
  /**
   * The least an acknowledgement waits before a write may take it. A single member's watch-1000w: the benchmark
   * client's control packets 7.9 a round to 2.3, 3.5% more events per second; 2 ms held half the pings of put-64c.
   */
  static final long MIN_HOLD_MS = 40;
  private static final long MIN_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(MIN_HOLD_MS);
  private static final int PING_ACK_LENGTH = 9 + 8;
  /** A frame header: length 8, type PING (6), flags ACK (1), stream 0. */
  private static final long PING_ACK_HEADER = 0x000008_06_01_000000L; // the first 8 of its 9 header bytes

  private ByteBuf held;
  /** When the held acknowledgement was written here, by the executor's ticker. */
  private long heldAt;
  private ChannelPromise heldPromise;
  /** Whether anything was written through since the last flush passed on. */
  private boolean written;
  private ScheduledFuture<?> timer;

  static boolean isPingAck(Object msg) {
    return msg instanceof ByteBuf b && b.readableBytes() == PING_ACK_LENGTH
        && b.getLong(b.readerIndex()) == PING_ACK_HEADER && b.getByte(b.readerIndex() + 8) == 0;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (isPingAck(msg)) {
      release(ctx); // an earlier one goes first
      held = (ByteBuf) msg;
      heldAt = ctx.executor().ticker().nanoTime();
      heldPromise = promise;
      return;
    }
    written = true;
    ctx.write(msg, promise);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (held != null && (!written || ctx.executor().ticker().nanoTime() - heldAt < MIN_HOLD_NANOS)) {
      if (timer == null) {
        timer = ctx.executor().schedule(() -> {
          timer = null;
          if (held != null) {
            release(ctx);
            flush(ctx);
          }
        }, HOLD_MS, TimeUnit.MILLISECONDS);
      }
      if (!written) {
        return;
      }
    } else if (held != null) {
      release(ctx); // behind what this flush sends: see the class comment
      cancelTimer(); // a timer left to fire would wake a parked event loop for nothing
    }
    written = false;
    ctx.flush();
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    release(ctx);
    ctx.flush();
    ctx.close(promise);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancelTimer();
    if (held != null) {
      ReferenceCountUtil.release(held);
      heldPromise.trySuccess();
      held = null;
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** Writes the held acknowledgement, if any, through. */
  private void release(ChannelHandlerContext ctx) {
    if (held != null) {
      ByteBuf b = held;
      held = null;
      written = true;
      ctx.write(b, heldPromise);
    }
  }
}
