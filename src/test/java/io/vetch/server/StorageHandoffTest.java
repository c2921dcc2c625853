package io.vetch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.server.base.SerialLoad;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When the storage thread waits awake for the next batch: after a streak of one-entry batches that came within the
 * budget, or after persisting one entry that commits later, and only until the next batch is sent or the budget runs
 * out; and when the event loops do (SerialLoad).
 */
class StorageHandoffTest {
  private static final long BUDGET_MS = 300;

  /** Sends and handles batches of this size back to back, as the raft verticle and the storage worker would. */
  private static void batches(StorageHandoff h, int count, int entries) {
    for (int i = 0; i < count; i++) {
      h.sending(1);
      h.sent();
      h.arrived();
      h.handled(entries, false);
    }
  }

  private static long millis(Runnable r) {
    long t = System.nanoTime();
    r.run();
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
  }

  /** Sends a one-entry batch and handles it while another thread sends the next 50 ms later; ms handled() took. */
  private static long handledWhileTheNextIsSentAfter50Ms(StorageHandoff h, boolean awaitsCommit)
      throws InterruptedException {
    h.sending(1);
    h.sent();
    h.arrived();
    Thread raft = new Thread(() -> {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
      h.sending(1);
      h.sent();
    });
    raft.start();
    long waited = millis(() -> h.handled(1, awaitsCommit));
    raft.join();
    return waited;
  }

  @Test
  void aStreakOfSmallBatchesWaitsForTheNextUntilItIsSent() throws Exception {
    StorageHandoff h = new StorageHandoff(TimeUnit.MILLISECONDS.toMicros(BUDGET_MS), () -> 0);
    // the first batch follows no other: the streak starts with the second
    assertTrue(millis(() -> batches(h, StorageHandoff.STREAK, 1)) < BUDGET_MS, "no wait before the streak");
    long waited = handledWhileTheNextIsSentAfter50Ms(h, false);
    assertTrue(waited >= 40 && waited < BUDGET_MS, "waited until the next batch was sent: " + waited + " ms");
    h.arrived();
    assertTrue(millis(() -> h.handled(0, false)) >= BUDGET_MS - 10, "nothing sent: waits out the budget");
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
    assertTrue(millis(() -> h.handled(1, false)) < BUDGET_MS);
  }

  @Test
  void moreThanOneProposalWaitingIsNoSerialLoad() {
    int[] waiting = {2};
    StorageHandoff h = new StorageHandoff(TimeUnit.MILLISECONDS.toMicros(BUDGET_MS), () -> waiting[0]);
    assertTrue(millis(() -> batches(h, StorageHandoff.STREAK + 2, 1)) < BUDGET_MS, "two waiting: no wait");
    waiting[0] = 1;
    assertTrue(millis(() -> batches(h, 1, 1)) >= BUDGET_MS - 10, "one waiting: waits");
  }

  @Test
  void oneEntryThatCommitsLaterWaitsForTheBatchThatAppliesIt() throws Exception {
    StorageHandoff h = new StorageHandoff(TimeUnit.MILLISECONDS.toMicros(BUDGET_MS), () -> 0);
    SerialLoad.off();
    long waited = handledWhileTheNextIsSentAfter50Ms(h, true);
    assertTrue(waited >= 40 && waited < BUDGET_MS, "first batch of all, yet waited for the next: " + waited + " ms");
    assertTrue(SerialLoad.at(System.nanoTime()), "the event loops wait for the round trip too");
    h.arrived();
    assertTrue(millis(() -> h.handled(0, false)) < BUDGET_MS, "the batch that applies it: no wait");
    assertFalse(SerialLoad.at(System.nanoTime()), "and the event loops stop waiting");
    h.sending(2);
    h.sent();
    h.arrived();
    assertTrue(millis(() -> h.handled(2, true)) < BUDGET_MS, "two entries: no wait");
    h.sending(1);
    h.sent();
    h.arrived();
    assertTrue(millis(() -> h.handled(1, false)) < BUDGET_MS, "applied as it became durable: no wait");
  }

  @Test
  void aBatchOfOneKeepsTheEventLoopsAwakeForItsAnswer() {
    int[] waiting = {1};
    StorageHandoff h = new StorageHandoff(TimeUnit.MILLISECONDS.toMicros(BUDGET_MS), () -> waiting[0]);
    SerialLoad.off();
    h.sending(2);
    h.sent();
    assertFalse(SerialLoad.at(System.nanoTime()), "two entries: the event loops may sleep");
    h.sending(1);
    h.sent();
    assertTrue(SerialLoad.at(System.nanoTime()), "one entry, one proposal waiting: they wait awake");
    assertFalse(SerialLoad.at(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BUDGET_MS) + 1), "up to the budget");
    SerialLoad.off();
    waiting[0] = 2;
    h.sending(0);
    h.sent();
    assertFalse(SerialLoad.at(System.nanoTime()), "two proposals waiting: a busy member, they may sleep");
    assertEquals(0, h.syncSpinNanos(), "nor does the storage thread wait awake for a WAL write");
    waiting[0] = 1;
    h.sending(1);
    assertEquals(TimeUnit.MILLISECONDS.toNanos(BUDGET_MS), h.syncSpinNanos(), "but under a serial load it does");
    SerialLoad.off();
    new StorageHandoff(0, () -> 0).sending(1);
    assertFalse(SerialLoad.at(System.nanoTime()), "no budget: never");
  }
}
