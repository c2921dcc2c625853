package io.vetch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MoveLeader calls waiting on the leader, as the raft verticle drives them. */
class LeaderTransfersTest {
  private final List<String> moved = new ArrayList<>();
  private final List<String> timedOut = new ArrayList<>();
  private final LeaderTransfers<String> transfers = new LeaderTransfers<>(3, moved::add, timedOut::add);

  @Test
  void callsWaitingForTheNewLeaderAreAnsweredOthersKeepWaiting() {
    transfers.await(2, "a");
    transfers.await(2, "b");
    transfers.await(3, "c");
    transfers.leaderIs(1);
    assertEquals(List.of(), moved);
    transfers.leaderIs(2);
    assertEquals(List.of("a", "b"), moved);
    transfers.leaderIs(2);
    assertEquals(List.of("a", "b"), moved, "each call is answered once");
    transfers.tick();
    transfers.tick();
    transfers.tick();
    assertEquals(List.of("c"), timedOut);
  }

  @Test
  void aCallFailsAfterItsOwnTimeoutOnceAndNeverMovesAfterwards() {
    transfers.await(2, "early");
    transfers.tick();
    transfers.tick();
    transfers.await(2, "late");
    transfers.tick();
    assertEquals(List.of("early"), timedOut, "three ticks for early, one for late");
    transfers.leaderIs(2);
    assertEquals(List.of("late"), moved);
    transfers.tick();
    transfers.tick();
    transfers.tick();
    assertEquals(List.of("early"), timedOut);
  }
}
