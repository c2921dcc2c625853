package io.vetch.server.watch;

import io.vetch.api.etcdserverpb.WatchRequest;
import io.vetch.api.etcdserverpb.WatchResponse;
import io.vetch.api.etcdserverpb.WatchService;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/** etcd's Watch service on one event loop: each bidirectional stream becomes a {@link WatchStream} in its group. */
public final class WatchServer extends WatchService {
  private final WatcherGroup group;
  private final int maxResponseBytes;

  /** maxResponseBytes: the size above which a watcher that asked for fragments gets them (--max-request-bytes). */
  public WatchServer(WatcherGroup group, int maxResponseBytes) {
    this.group = group;
    this.maxResponseBytes = maxResponseBytes;
  }

  @Override
  protected void watch(ReadStream<WatchRequest> request, WriteStream<WatchResponse> response) {
    new WatchStream(group, group.store(), maxResponseBytes, request, response).start();
  }
}
