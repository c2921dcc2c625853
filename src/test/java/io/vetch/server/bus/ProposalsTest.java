package io.vetch.server.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The outbox across threads, as a stress test: one thread adds in bursts and posts when add says so, another drains
 * each post. Every proposal is drained exactly once, in the order added, none is left without a post to take it,
 * and most ride along with another's post.
 */
class ProposalsTest {
  @Test
  void concurrentAddsAndDrainsLoseNothing() throws Exception {
    Proposals outbox = new Proposals();
    LinkedBlockingQueue<Proposals> posts = new LinkedBlockingQueue<>(); // the event bus between the two loops
    int n = 200_000;
    List<Long> drained = new ArrayList<>(n);
    Thread raft = new Thread(() -> {
      try {
        while (drained.size() < n) {
          Proposals p = posts.poll(10, TimeUnit.SECONDS);
          if (p == null) {
            return; // a proposal was left without a post: the assertion below fails
          }
          p.drain(x -> drained.add(x.id()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    raft.start();
    int postsMade = 0;
    java.util.Random rnd = new java.util.Random(1);
    for (long i = 0; i < n; i++) {
      if (outbox.add(new Proposal(i, new byte[0], false, "r"))) {
        posts.add(outbox);
        postsMade++;
      }
      if (rnd.nextInt(4) == 0) {
        for (int spin = rnd.nextInt(200); spin > 0; spin--) { // let the drain catch up: many post boundaries
          Thread.onSpinWait();
        }
      }
    }
    raft.join(30_000);
    assertEquals(n, drained.size(), "drained");
    for (int i = 0; i < n; i++) {
      if (drained.get(i) != i) {
        assertEquals(i, drained.get(i), "order at " + i);
      }
    }
    assertTrue(postsMade < n, "proposals rode along: " + postsMade + " posts for " + n);
  }
}
