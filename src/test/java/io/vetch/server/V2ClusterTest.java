package io.vetch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vetch.testing.Eventually;
import io.vetch.testing.TestMember;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's v2 API on a 3-member in-process cluster (--enable-v2), over HTTP: a write on one member wakes a wait=true
 * on another; a TTL key expires after its leader is gone (the new leader's SYNC expires it, on every member at the
 * same store index); members restarted from their data directories (snapshots taken every 50 entries, so the v2
 * tree comes from a snapshot and the WAL after it) keep the v2 tree, and a follower that was down catches up.
 */
@ExtendWith(VertxExtension.class)
class V2ClusterTest {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void writesWatchesTtlsAndRestarts(Vertx vertx) throws Exception {
    List<Path> dirs = List.of(dir.resolve("a"), dir.resolve("b"), dir.resolve("c"));
    List<TestMember> members = new ArrayList<>(TestMember.cluster(vertx, dirs,
        b -> b.enableV2(true).snapshotCount(50).heartbeatIntervalMs(50).electionTimeoutMs(500)));
    try {
      Eventually.eventually("a leader", () -> leader(members) >= 0);

      // A write on one member wakes a watch on another.
      CompletableFuture<HttpResponse<String>> watch = http.sendAsync(
          get(members.get(1), "/v2/keys/app/config?wait=true"), HttpResponse.BodyHandlers.ofString());
      Thread.sleep(300); // the watch is registered before the write (a watch without waitIndex waits for the next)
      HttpResponse<String> put = send(members.get(0), "PUT", "/v2/keys/app/config", "value=blue");
      assertEquals(201, put.statusCode(), put.body());
      HttpResponse<String> seen = watch.get(10, TimeUnit.SECONDS);
      assertEquals(200, seen.statusCode());
      JsonObject ev = new JsonObject(seen.body());
      assertEquals("set", ev.getString("action"));
      assertEquals("blue", ev.getJsonObject("node").getString("value"));

      // Enough writes for snapshots (every 50 entries) on every member.
      for (int i = 0; i < 120; i++) {
        assertEquals(201, send(members.get(i % 3), "POST", "/v2/keys/queue", "value=job" + i).statusCode());
      }

      // A TTL key outlives its leader only as long as its TTL.
      int lead = leader(members);
      HttpResponse<String> ttl = send(members.get(lead), "PUT", "/v2/keys/session", "value=s&ttl=2");
      assertEquals(201, ttl.statusCode(), ttl.body());
      members.get(lead).close();
      TestMember gone = members.set(lead, null);
      List<TestMember> alive = members.stream().filter(m -> m != null).toList();
      for (TestMember m : alive) {
        Eventually.eventually("the TTL key expired on " + m.endpoint(),
            () -> status(m, "/v2/keys/session") == 404);
      }
      assertEquals(index(alive.get(0)), index(alive.get(1)), "the same store index on both");
      assertEquals(200, status(alive.get(0), "/v2/keys/app/config"));

      // The old leader comes back and catches up; everyone restarts and keeps the tree.
      members.set(lead, gone.restart());
      Eventually.eventually("the old leader caught up", () -> status(members.get(lead), "/v2/keys/session") == 404);
      for (int i = 0; i < 3; i++) {
        members.get(i).close();
      }
      for (Path d : dirs) {
        try (Stream<Path> snaps = Files.list(d.resolve("member/snap"))) {
          assertTrue(snaps.anyMatch(p -> p.toString().endsWith(".snap")), "a snapshot in " + d);
        }
      }
      for (int i = 0; i < 3; i++) {
        members.set(i, members.get(i).restart());
      }
      Eventually.eventually("a leader after the restart", () -> leader(members) >= 0);
      for (TestMember m : members) {
        JsonObject q = new JsonObject(send(m, "GET", "/v2/keys/queue?sorted=true", null).body());
        assertEquals(120, q.getJsonObject("node").getJsonArray("nodes").size(), m.endpoint());
        assertEquals("blue", new JsonObject(send(m, "GET", "/v2/keys/app/config", null).body())
            .getJsonObject("node").getString("value"));
        assertEquals(404, status(m, "/v2/keys/session"));
      }
      assertEquals(index(members.get(0)), index(members.get(1)));
      assertEquals(index(members.get(0)), index(members.get(2)));
    } finally {
      for (TestMember m : members) {
        if (m != null) {
          m.close();
        }
      }
    }
  }

  /** The position of the member /v2/members/leader names, or -1. */
  private int leader(List<TestMember> members) {
    for (TestMember m : members) {
      if (m == null) {
        continue;
      }
      try {
        HttpResponse<String> r = send(m, "GET", "/v2/members/leader", null);
        if (r.statusCode() == 200) {
          String name = new JsonObject(r.body()).getString("name");
          for (int i = 0; i < members.size(); i++) {
            if (members.get(i) != null && members.get(i).config().name().equals(name)) {
              return i;
            }
          }
        }
      } catch (Exception e) {
        // not serving yet
      }
    }
    return -1;
  }

  private long index(TestMember m) throws Exception {
    return Long.parseLong(send(m, "GET", "/v2/keys/", null).headers().firstValue("X-Etcd-Index").orElseThrow());
  }

  private int status(TestMember m, String path) {
    try {
      return send(m, "GET", path, null).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private HttpRequest get(TestMember m, String path) {
    return HttpRequest.newBuilder(URI.create(m.endpoint() + path)).timeout(Duration.ofSeconds(15)).GET().build();
  }

  private HttpResponse<String> send(TestMember m, String method, String path, String form) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(m.endpoint() + path)).timeout(Duration.ofSeconds(10));
    if (form != null) {
      b.header("Content-Type", "application/x-www-form-urlencoded")
          .method(method, HttpRequest.BodyPublishers.ofString(form));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
