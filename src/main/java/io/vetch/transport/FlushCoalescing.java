package io.vetch.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * One socket write per event-loop task. Vert.x flushes every write made outside a read: a unary gRPC answer
 * (headers, message, trailers) cost three writev calls, and a batch of Raft messages to one peer one each. Netty's
 * {@link FlushConsolidationHandler}, placed under the codec, turns those flushes into one at the end of the task (or
 * of the read, as before). Nothing is held past the current task. Call on the connection's event loop.
 */
public final class FlushCoalescing {
  private static final String NAME = "vetch-flush-coalescing";
  /** Flush anyway after this many consolidated flushes (bounds what a long task keeps unsent). */
  private static final int MAX_PENDING_FLUSHES = 256;

  private FlushCoalescing() {}

  /**
   * Under conn's HTTP/2 codec, with its PING acknowledgements sent along with the next write
   * ({@link PingAckDeferral}); HTTP/1.x connections are left alone.
   */
  public static void http(HttpConnection conn) {
    if (conn instanceof ConnectionBase base) {
      ChannelHandlerContext codec = base.channel().pipeline().context(Http2ConnectionHandler.class);
      if (codec != null) {
        install(codec);
        if (codec.pipeline().get(PingAckDeferral.class) == null) {
          codec.pipeline().addBefore(codec.name(), "vetch-ping-ack-deferral", new PingAckDeferral());
        }
      }
    }
  }

  /** Under the Vert.x handler of a TCP socket (above TLS, if any). */
  public static void socket(NetSocket socket) {
    if (socket instanceof NetSocketInternal s) {
      install(s.channelHandlerContext());
    }
  }

  private static void install(ChannelHandlerContext above) {
    ChannelPipeline p = above.pipeline();
    if (p.get(NAME) == null) {
      p.addBefore(above.name(), NAME, new FlushConsolidationHandler(MAX_PENDING_FLUSHES, true));
    }
  }
}
