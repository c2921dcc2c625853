package io.vetch.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.embed.Vetch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ConfigService example on a 3-member cluster embedded in one Vert.x: every instance sees configuration
 * changes through its watch, exactly one is the leader, and when the leader goes away another takes over.
 */
@ExtendWith(VertxExtension.class)
class ConfigServiceTest {
  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static void eventually(String what, BooleanSupplier check) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!check.getAsBoolean()) {
      assertTrue(System.currentTimeMillis() < deadline, what);
      Thread.sleep(50);
    }
  }

  @Test
  void configurationAndLeadership(Vertx vertx, @TempDir Path dir) throws Exception {
    List<Vetch> members = await(Vetch.startCluster(vertx, dir, 3));
    for (Vetch m : members) { // each instance below talks to its own member, which must know the leader
      while (await(m.client().status()).getLeader() == 0) {
        Thread.sleep(50);
      }
    }
    await(members.get(0).client().put("app/config/color", "blue"));
    List<ConfigService> apps = new ArrayList<>();
    List<String> deployments = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ConfigService app = new ConfigService("app" + i, members.get(i).client());
      deployments.add(await(vertx.deployVerticle(app)));
      apps.add(app);
    }
    for (ConfigService app : apps) {
      assertEquals(Map.of("color", "blue"), app.settings(), "loaded at start");
    }
    await(members.get(1).client().put("app/config/size", "large"));
    await(members.get(2).client().put("app/config/color", "green"));
    eventually("every instance sees the changes", () -> apps.stream()
        .allMatch(a -> a.settings().equals(Map.of("color", "green", "size", "large"))));

    eventually("a leader", () -> apps.stream().anyMatch(ConfigService::isLeader));
    Thread.sleep(300);
    assertEquals(1, apps.stream().filter(ConfigService::isLeader).count(), "exactly one leader");
    int first = apps.indexOf(apps.stream().filter(ConfigService::isLeader).findFirst().orElseThrow());
    eventually("the leader's job runs", () -> {
      try {
        return ("app" + first).equals(await(members.get(0).client().get("app/heartbeat")));
      } catch (Exception e) {
        return false;
      }
    });
    await(vertx.undeploy(deployments.get(first)));
    eventually("another instance takes over", () -> apps.stream().anyMatch(ConfigService::isLeader));
    assertEquals(1, apps.stream().filter(ConfigService::isLeader).count());
    for (String d : deployments) {
      if (!d.equals(deployments.get(first))) {
        await(vertx.undeploy(d));
      }
    }
    for (Vetch m : members) {
      await(m.close());
    }
  }
}
