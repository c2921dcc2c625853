package io.vetch.server.grpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Makes an HTTP/2 connection accept the {@code :authority} values real etcd (grpc-go) accepts. etcdctl 3.4 dialing
 * member client URLs sends e.g. {@code http://127.0.0.1:2379}; Vert.x cannot parse that as host[:port] and resets the
 * stream with PROTOCOL_ERROR. Before Vert.x sees a request's headers, an {@code :authority} containing '/' is replaced
 * by its host[:port] part (after {@code scheme://}, up to the next '/'), or removed when that part is empty or still
 * not a valid authority. Other authorities and other frames pass through untouched.
 *
 * <p>{@link #install} must be called from the server's connection handler: Vert.x calls it on the connection's event
 * loop while it handles the client's first SETTINGS frame, after setting its own frame listener and before any
 * HEADERS frame is decoded. The decorator then only runs on that event loop.
 */
final class AuthorityNormalizer extends Http2FrameListenerDecorator {
  private AuthorityNormalizer(Http2FrameListener delegate) {
    super(delegate);
  }

  /** Wraps the frame listener of conn's HTTP/2 codec; HTTP/1.x connections are left alone. */
  static void install(HttpConnection conn) {
    if (!(conn instanceof ConnectionBase base)) {
      return;
    }
    Http2ConnectionHandler codec = base.channel().pipeline().get(Http2ConnectionHandler.class);
    if (codec != null && !(codec.decoder().frameListener() instanceof AuthorityNormalizer)) {
      codec.decoder().frameListener(new AuthorityNormalizer(codec.decoder().frameListener()));
    }
  }

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
      boolean endOfStream) throws Http2Exception {
    normalize(headers);
    super.onHeadersRead(ctx, streamId, headers, padding, endOfStream);
  }

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
      short weight, boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
    normalize(headers);
    super.onHeadersRead(ctx, streamId, headers, streamDependency, weight, exclusive, padding, endOfStream);
  }

  static void normalize(Http2Headers headers) {
    CharSequence authority = headers.authority();
    if (authority == null) {
      return;
    }
    String value = authority.toString();
    if (value.indexOf('/') < 0) {
      return;
    }
    String hostPort = hostPort(value);
    if (hostPort.isEmpty() || HostAndPort.parseAuthority(hostPort, -1) == null) {
      headers.remove(Http2Headers.PseudoHeaderName.AUTHORITY.value());
    } else {
      headers.authority(hostPort);
    }
  }

  private static String hostPort(String value) {
    int schemeEnd = value.indexOf("://");
    String rest = schemeEnd < 0 ? value : value.substring(schemeEnd + 3);
    int pathStart = rest.indexOf('/');
    return pathStart < 0 ? rest : rest.substring(0, pathStart);
  }
}
