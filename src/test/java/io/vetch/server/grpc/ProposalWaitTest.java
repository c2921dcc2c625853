package io.vetch.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.server.base.EtcdErrors;
import io.vetch.server.bus.LocalCodec;
import io.vetch.server.bus.ProposalResult;
import io.vetch.server.bus.ProposalResults;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.grpc.server.StatusException;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One event loop's waiting requests: results arrive several to a message and complete each call on its own
 * context; a request nobody answers fails with etcd's timeout, and one answered in time never does.
 */
@ExtendWith(VertxExtension.class)
class ProposalWaitTest {
  private record Outcome(Object value, Throwable error, boolean onCallerContext, long afterMs) {}

  /** Registers ids on a fresh event-loop context (the result of each recorded), then runs then there. */
  private static List<CompletableFuture<Outcome>> register(Vertx vertx, long timeoutMs, List<Long> ids,
      java.util.function.Consumer<ProposalWait> then) throws Exception {
    LocalCodec.registerAll(vertx);
    ContextInternal home = (ContextInternal) vertx.getOrCreateContext();
    List<CompletableFuture<Outcome>> outcomes = ids.stream().map(id -> new CompletableFuture<Outcome>()).toList();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    home.runOnContext(v -> {
      ContextInternal caller = ContextInternal.current().duplicate(); // as a request's context
      ProposalWait wait = new ProposalWait(home, "test.results.", timeoutMs);
      long start = System.nanoTime();
      for (int i = 0; i < ids.size(); i++) {
        CompletableFuture<Outcome> out = outcomes.get(i);
        Future<Object> f = wait.register(ids.get(i), caller);
        f.onComplete((value, err) -> out.complete(new Outcome(value, err,
            ContextInternal.current() == caller, (System.nanoTime() - start) / 1_000_000)));
      }
      then.accept(wait);
      ready.complete(null);
    });
    ready.get(5, TimeUnit.SECONDS);
    return outcomes;
  }

  @Test
  void resultsInOneMessageCompleteEachCallOnItsContext(Vertx vertx) throws Exception {
    StatusException noLeader = EtcdErrors.noLeader();
    var outcomes = register(vertx, 1000, List.of(1L, 2L, 3L), wait -> vertx.eventBus().send(wait.address(),
        new ProposalResults(List.of(new ProposalResult(2, "two", null), new ProposalResult(1, null, noLeader),
            new ProposalResult(99, "not ours", null)))));
    Outcome one = outcomes.get(0).get(5, TimeUnit.SECONDS);
    Outcome two = outcomes.get(1).get(5, TimeUnit.SECONDS);
    assertSame(noLeader, one.error());
    assertEquals("two", two.value());
    assertTrue(one.onCallerContext() && two.onCallerContext(), "completed off the caller's context");
    assertTrue(one.afterMs() < 1000 && two.afterMs() < 1000);
    Outcome three = outcomes.get(2).get(5, TimeUnit.SECONDS); // never answered: times out after 1 s
    assertEquals(EtcdErrors.timeout().message(), ((StatusException) three.error()).message());
    assertTrue(three.afterMs() >= 990, "timed out early, after " + three.afterMs() + " ms");
  }

  @Test
  void onlyTheUnansweredTimeOut(Vertx vertx) throws Exception {
    var outcomes = register(vertx, 300, List.of(1L, 2L, 3L), wait -> vertx.setTimer(100, t ->
        vertx.eventBus().send(wait.address(), new ProposalResults(List.of(new ProposalResult(2, 2L, null))))));
    Outcome one = outcomes.get(0).get(5, TimeUnit.SECONDS);
    Outcome two = outcomes.get(1).get(5, TimeUnit.SECONDS);
    Outcome three = outcomes.get(2).get(5, TimeUnit.SECONDS);
    assertEquals(2L, two.value());
    assertTrue(two.afterMs() < 300, "answered after " + two.afterMs() + " ms");
    for (Outcome late : List.of(one, three)) {
      assertInstanceOf(StatusException.class, late.error());
      assertEquals(EtcdErrors.timeout().message(), ((StatusException) late.error()).message());
      assertTrue(late.afterMs() >= 290 && late.afterMs() < 3000, "timed out after " + late.afterMs() + " ms");
      assertTrue(late.onCallerContext());
    }
  }
}
