package io.vetch.server.http;

import io.vetch.server.base.MemberStatus;
import io.vetch.server.v2stats.LeaderStats;
import io.vetch.server.v2stats.ServerStats;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Supplier;

/**
 * etcd's v2 statsHandler: {@code /v2/stats/self} (this member's {@link ServerStats}), {@code /v2/stats/leader} (the
 * {@link LeaderStats}, on the leader only: 403 "not current leader" elsewhere) and {@code /v2/stats/store} (the v2
 * store's operation counts). GET only.
 */
final class V2Stats {
  private final ServerStats self;
  private final LeaderStats leader;
  private final Supplier<String> store;
  private final MemberStatus status;
  private final long memberId;

  V2Stats(ServerStats self, LeaderStats leader, Supplier<String> store, MemberStatus status, long memberId) {
    this.self = self;
    this.leader = leader;
    this.store = store;
    this.status = status;
    this.memberId = memberId;
  }

  void self(HttpServerRequest req) {
    if (V2Api.allowMethod(req, "GET")) {
      json(req, self.json());
    }
  }

  void leader(HttpServerRequest req) {
    if (!V2Api.allowMethod(req, "GET")) {
      return;
    }
    if (status.leader() != memberId) {
      V2Members.error(req.response(), 403, "not current leader");
      return;
    }
    json(req, leader.json());
  }

  void store(HttpServerRequest req) {
    if (V2Api.allowMethod(req, "GET")) {
      json(req, store.get());
    }
  }

  private static void json(HttpServerRequest req, String body) {
    req.response().putHeader("content-type", "application/json").end(body);
  }
}
