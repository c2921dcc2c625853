package io.vetch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.server.base.SerialLoad;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When the storage thread waits awake for the next batch: only after a streak of one-entry batches that came within
 * the budget, and only until the next batch is sent or the budget runs out.
 */
class StorageHandoffTest {
  private static final long BUDGET_MS = 300;

  /** Sends and handles batches of this size back to back, as the raft verticle and the storage worker would. */
  private static void batches(StorageHandoff h, int count, int entries) {
    for (int i = 0; i < count; i++) {
      h.sent();
      h.arrived();
      h.handled(entries);
    }
  }

  private static long millis(Runnable r) {
    long t = System.nanoTime();
    r.run();
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
  }

  @Test
  void aStreakOfSmallBatchesWaitsForTheNextUntilItIsSent() throws Exception {
    StorageHandoff h = new StorageHandoff(TimeUnit.MILLISECONDS.toMicros(BUDGET_MS), () -> 0);
    // the first batch follows no other: the streak starts with the second
    assertTrue(millis(() -> batches(h, StorageHandoff.STREAK, 1)) < BUDGET_MS, "no wait before the streak");
    h.sent();
    h.arrived();
    Thread raft = new Thread(() -> {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
      h.sent();
    });
    raft.start();
    long waited = millis(() -> h.handled(1));
    raft.join();
    assertTrue(waited >= 40 && waited < BUDGET_MS, "waited until the next batch was sent: " + waited + " ms");
    h.arrived();
    assertTrue(millis(() -> h.handled(0)) >= BUDGET_MS - 10, "nothing sent: waits out the budget");
  }

  @Test
  void aLargeBatchOrALongGapEndsTheWaiting() throws Exception {
    StorageHandoff h = new StorageHandoff(TimeUnit.MILLISECONDS.toMicros(BUDGET_MS), () -> 0);
    batches(h, StorageHandoff.STREAK - 1, 1);
    assertTrue(millis(() -> batches(h, 1, 2)) < BUDGET_MS, "a batch of two entries breaks the streak");
    assertFalse(SerialLoad.at(System.nanoTime()), "and the load is not serial");
    batches(h, StorageHandoff.STREAK - 1, 0);
    Thread.sleep(BUDGET_MS + 50); // the next batch comes later than the budget
    assertTrue(millis(() -> batches(h, 1, 1)) < BUDGET_MS, "after a gap longer than the budget: no wait");
    assertTrue(millis(() -> batches(h, StorageHandoff.STREAK - 1, 1)) < BUDGET_MS, "the streak starts again");
    assertTrue(millis(() -> batches(h, 1, 1)) >= BUDGET_MS - 10, "a full streak of short gaps again: waits");
    assertTrue(SerialLoad.at(System.nanoTime()), "the load is serial for the event loops too");
  }

  @Test
  void noBudgetNeverWaits() {
    StorageHandoff h = new StorageHandoff(0, () -> 0);
    assertTrue(millis(() -> batches(h, 100, 1)) < BUDGET_MS);
    h.arrived();
    assertTrue(millis(() -> h.handled(1)) < BUDGET_MS);
  }

  @Test
  void moreThanOneProposalWaitingIsNoSerialLoad() {
    int[] waiting = {2};
    StorageHandoff h = new StorageHandoff(TimeUnit.MILLISECONDS.toMicros(BUDGET_MS), () -> waiting[0]);
    assertTrue(millis(() -> batches(h, StorageHandoff.STREAK + 2, 1)) < BUDGET_MS, "two waiting: no wait");
    waiting[0] = 1;
    assertTrue(millis(() -> batches(h, 1, 1)) >= BUDGET_MS - 10, "one waiting: waits");
  }
}
