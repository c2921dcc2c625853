package io.vetch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scenarios of linearizable reads waiting on ReadIndex rounds, as the raft verticle drives them. */
class ReadIndexQueueTest {
  private static final long ME = 7;
  private final List<Long> rounds = new ArrayList<>();
  private final List<String> failed = new ArrayList<>();
  private final List<String> served = new ArrayList<>();
  private boolean leader = true;
  private final ReadIndexQueue<String> reads = new ReadIndexQueue<>(ME, 3, ctx -> {
    ByteBuffer b = ByteBuffer.wrap(ctx);
    assertEquals(ME, b.getLong());
    rounds.add(b.getLong());
    return leader;
  }, failed::add);

  private static byte[] ctx(long member, long seq) {
    return ByteBuffer.allocate(16).putLong(member).putLong(seq).array();
  }

  private void serve(long applied) {
    reads.serve(applied, (index, waiting) -> waiting.forEach(r -> served.add(r + "@" + index)));
  }

  @Test
  void readsArrivingDuringARoundShareTheNext() {
    reads.add("a");
    reads.add("b");
    reads.add("c");
    assertEquals(List.of(1L), rounds, "b and c wait while round 1 is out");
    reads.confirmed(ctx(ME, 1), 10);
    reads.submit();
    assertEquals(List.of(1L, 2L), rounds, "the next round carries b and c");
    reads.confirmed(ctx(ME, 2), 12);
    serve(9);
    assertEquals(List.of(), served, "nothing before the read index is applied");
    serve(11);
    assertEquals(List.of("a@10"), served);
    serve(12);
    assertEquals(List.of("a@10", "b@12", "c@12"), served);
  }

  @Test
  void anUnansweredRoundIsAskedAgainAndItsLateAnswerIgnored() {
    reads.add("a");
    reads.tick();
    reads.tick();
    reads.add("b");
    assertEquals(List.of(1L), rounds);
    reads.tick();
    assertEquals(List.of(1L, 2L), rounds, "after 3 ticks, a and b go out again as round 2");
    reads.confirmed(ctx(ME, 1), 5);
    serve(100);
    assertEquals(List.of(), served, "round 1's late answer is ignored");
    reads.confirmed(ctx(ME, 2), 6);
    serve(100);
    assertEquals(List.of("a@6", "b@6"), served);
  }

  @Test
  void anotherMembersRoundAndMalformedContextsAreIgnored() {
    reads.add("a");
    reads.confirmed(ctx(8, 1), 5);
    reads.confirmed(new byte[3], 5);
    serve(100);
    assertEquals(List.of(), served);
    reads.confirmed(ctx(ME, 1), 5);
    serve(100);
    assertEquals(List.of("a@5"), served);
  }

  @Test
  void withoutALeaderReadsFailAtOnce() {
    leader = false;
    reads.add("a");
    assertEquals(List.of("a"), failed);
    leader = true;
    reads.add("b");
    reads.confirmed(ctx(ME, 2), 3);
    serve(3);
    assertEquals(List.of("b@3"), served);
  }
}
