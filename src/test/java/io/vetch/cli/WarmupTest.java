package io.vetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The warm-up runs its traffic against a real throwaway member (watch events arrive), for a cluster member also
 * through a throwaway two-member cluster, and leaves nothing behind.
 */
class WarmupTest {
  private static Set<Path> warmupDirs() throws Exception {
    try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return tmp.filter(p -> p.getFileName().toString().startsWith("vetch-warmup")).collect(Collectors.toSet());
    }
  }

  @Test
  void warmsUpOnAThrowawayMemberAndDeletesIt() throws Exception {
    Set<Path> before = warmupDirs();
    Vertx vertx = Vertx.vertx();
    try {
      long events = Warmup.run(vertx, false);
      assertTrue(events > 0, "watch events delivered: " + events);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    assertEquals(before, warmupDirs(), "the temporary directory is gone");
  }

  @Test
  void aClusterMemberAlsoWarmsUpThroughATwoMemberClusterAndDeletesIt() throws Exception {
    Set<Path> before = warmupDirs();
    Vertx vertx = Vertx.vertx();
    try {
      long events = Warmup.run(vertx, true); // -1 if the two-member phase failed
      assertTrue(events > 0, "watch events delivered and the two-member phase done: " + events);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    assertEquals(before, warmupDirs(), "the temporary directory is gone");
  }
}
