package io.vetch.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.testing.TestMember;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console's server side: the bundled pages under /ui/, /ui/api/cluster with every member's status (a
 * 3-member in-process cluster), the token it wants once auth is on, and --enable-ui=false. The pages themselves are
 * driven in Chromium by ConsoleBrowserIT.
 */
@ExtendWith(VertxExtension.class)
class ConsoleTest {
  @TempDir Path dir;

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private record Reply(int status, String type, String body) {}

  private static Reply request(HttpClient web, int port, HttpMethod method, String path, String token, String body)
      throws Exception {
    return await(web.request(method, port, "127.0.0.1", path).compose(req -> {
      if (token != null) {
        req.putHeader("authorization", token);
      }
      return (body == null ? req.send() : req.send(body)).compose(resp -> resp.body()
          .map(b -> new Reply(resp.statusCode(), resp.getHeader("content-type"), b.toString())));
    }));
  }

  @Test
  void pagesAndClusterStatus(Vertx vertx) throws Exception {
    List<TestMember> members = TestMember.cluster(vertx, List.of(dir.resolve("a"), dir.resolve("b"), dir.resolve("c")),
        b -> b);
    HttpClient web = vertx.createHttpClient();
    try {
      int port = members.get(1).clientPort();
      Reply page = request(web, port, HttpMethod.GET, "/ui/", null, null);
      assertEquals(200, page.status());
      assertTrue(page.type().startsWith("text/html") && page.body().contains("<title>vetch console</title>"), page.body());
      Reply js = request(web, port, HttpMethod.GET, "/ui/app.js", null, null);
      assertEquals(200, js.status());
      assertTrue(js.body().contains("/ui/api/cluster"));
      assertEquals(200, request(web, port, HttpMethod.GET, "/ui/style.css", null, null).status());
      assertEquals(404, request(web, port, HttpMethod.GET, "/ui/nothing.js", null, null).status());

      JsonObject c = waitForAllAnswering(web, port, null);
      JsonArray list = c.getJsonArray("members");
      assertEquals(3, list.size());
      long leaders = list.stream().filter(m -> "leader".equals(((JsonObject) m).getString("role"))).count();
      assertEquals(1, leaders, c.encodePrettily());
      for (Object o : list) {
        JsonObject m = (JsonObject) o;
        assertTrue(m.getBoolean("healthy"), m.encode());
        assertTrue(m.getLong("raftTerm") > 0 && m.getLong("raftAppliedIndex") > 0, m.encode());
      }
      assertEquals(c.getString("leader"), list.stream().map(m -> (JsonObject) m)
          .filter(m -> "leader".equals(m.getString("role"))).findFirst().orElseThrow().getString("id"));

      JsonObject metrics = new JsonObject(request(web, port, HttpMethod.GET, "/ui/api/metrics", null, null).body());
      assertEquals("writes", metrics.getJsonArray("fields").getString(1));
      assertTrue(metrics.getJsonArray("samples").size() >= 1, "the member samples at start");

      // with auth on: no token is refused with etcd's message; root's token is let in
      String gw = "/v3/auth/";
      request(web, port, HttpMethod.POST, gw + "user/add", null, "{\"name\":\"root\",\"password\":\"pw\"}");
      request(web, port, HttpMethod.POST, gw + "user/grant", null, "{\"user\":\"root\",\"role\":\"root\"}");
      assertEquals(200, request(web, port, HttpMethod.POST, gw + "enable", null, "{}").status());
      Reply refused = request(web, port, HttpMethod.GET, "/ui/api/cluster", null, null);
      assertEquals(400, refused.status(), refused.body());
      assertEquals("etcdserver: user name is empty", new JsonObject(refused.body()).getString("message"));
      String token = new JsonObject(request(web, port, HttpMethod.POST, gw + "authenticate", null,
          "{\"name\":\"root\",\"password\":\"pw\"}").body()).getString("token");
      assertEquals(3, waitForAllAnswering(web, port, token).getJsonArray("members").size());
    } finally {
      await(web.close());
      for (TestMember m : members) {
        m.close();
      }
    }
  }

  @Test
  void consoleCanBeTurnedOff(Vertx vertx) throws Exception {
    try (TestMember m = TestMember.start(vertx, dir.resolve("off"), b -> b.enableUi(false))) {
      HttpClient web = vertx.createHttpClient();
      assertEquals(404, request(web, m.clientPort(), HttpMethod.GET, "/ui/", null, null).status());
      assertEquals(404, request(web, m.clientPort(), HttpMethod.GET, "/ui/api/cluster", null, null).status());
      assertEquals(200, request(web, m.clientPort(), HttpMethod.GET, "/health", null, null).status());
      await(web.close());
    }
  }

  /** /ui/api/cluster once every member has answered (members publish their client URLs shortly after start). */
  private static JsonObject waitForAllAnswering(HttpClient web, int port, String token) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      Reply r = request(web, port, HttpMethod.GET, "/ui/api/cluster", token, null);
      assertEquals(200, r.status(), r.body());
      JsonObject c = new JsonObject(r.body());
      boolean all = c.getJsonArray("members").stream().allMatch(m -> ((JsonObject) m).getBoolean("healthy"));
      if (all || System.nanoTime() > deadline) {
        return c;
      }
      Thread.sleep(200);
    }
  }
}
