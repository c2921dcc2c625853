package io.vetch.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Publishing a member's attributes through Raft, tick by tick. */
class AttributesPublisherTest {
  private static final byte[] ATTRS = {1, 2, 3};
  private boolean published;
  private final AttributesPublisher publisher = new AttributesPublisher(2, () -> ATTRS, () -> published);

  @Test
  void waitsForALeaderThenRetriesEveryFewTicksUntilApplied() {
    assertNull(publisher.tick(0), "no leader yet");
    assertArrayEquals(ATTRS, publisher.tick(5), "the first tick with a leader publishes");
    assertNull(publisher.tick(5));
    assertNull(publisher.tick(5));
    assertArrayEquals(ATTRS, publisher.tick(5), "again after the retry interval");
    published = true;
    for (int i = 0; i < 5; i++) {
      assertNull(publisher.tick(5), "never once applied");
    }
  }
}
