package io.vetch.server.watch;

import io.vetch.server.wire.GrpcFraming;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * etcd's Watch service, served straight on HTTP/2 (gRPC framing by {@link GrpcFraming}) rather than through the
 * generic gRPC server, so that the responses a batch of events produces for one stream go out in one write. Each
 * call of /etcdserverpb.Watch/Watch becomes a {@link WatchStream} of this event loop's {@link WatcherGroup}.
 */
public final class WatchHandler {
  /** The method's path. */
  public static final String PATH = "/etcdserverpb.Watch/Watch";

  private final WatcherGroup group;
  private final int maxRequestBytes;
  private final int maxResponseBytes;
  private final WatchPermission permission;
  private final int maxWatchers;

  /**
   * maxRequestBytes bounds one request message; maxResponseBytes is the size above which a watcher that asked for
   * fragments gets them (--max-request-bytes).
   */
  public WatchHandler(WatcherGroup group, int maxRequestBytes, int maxResponseBytes, WatchPermission permission,
      int maxWatchers) {
    this.permission = permission;
    this.maxWatchers = maxWatchers;
    this.group = group;
    this.maxRequestBytes = maxRequestBytes;
    this.maxResponseBytes = maxResponseBytes;
  }

  /** Serves one watch stream on channel. On this handler's event loop. */
  public void open(WatchChannel channel) {
    new WatchStream(group, group.store(), maxResponseBytes, channel, permission, maxWatchers).start();
  }

  /** Serves req if it is a Watch call, else hands it to next. */
  public Handler<HttpServerRequest> before(Handler<HttpServerRequest> next) {
    return req -> {
      if (PATH.equals(req.path())) {
        open(new GrpcWatchChannel(req, maxRequestBytes));
      } else {
        next.handle(req);
      }
    };
  }
}
