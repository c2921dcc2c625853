package io.vetch.server.grpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * One socket write per event-loop task on a client connection. Vert.x flushes every HTTP/2 frame it writes outside a
 * read: a unary gRPC answer (headers, message, trailers) cost three writev calls, and a batch of answers completed in
 * one task three each. Netty's {@link FlushConsolidationHandler}, placed under the HTTP/2 codec, turns those flushes
 * into one at the end of the task (or at the end of the read, as before). Nothing is held past the current task.
 */
final class FlushCoalescing {
  private static final String NAME = "vetch-flush-coalescing";
  /** Flush anyway after this many consolidated flushes (bounds what a long task keeps unsent). */
  private static final int MAX_PENDING_FLUSHES = 256;

  private FlushCoalescing() {}

  /** Installs the consolidation under conn's HTTP/2 codec; HTTP/1.x connections are left alone. */
  static void install(HttpConnection conn) {
    if (!(conn instanceof ConnectionBase base)) {
      return;
    }
    ChannelPipeline p = base.channel().pipeline();
    ChannelHandlerContext codec = p.context(Http2ConnectionHandler.class);
    if (codec != null && p.get(NAME) == null) {
      p.addBefore(codec.name(), NAME, new FlushConsolidationHandler(MAX_PENDING_FLUSHES, true));
    }
  }
}
