package io.vetch.mvcc.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteBufferTest {
  private static WriteBuffer.Write write(List<Integer> applied, List<Integer> written, int n) {
    return new WriteBuffer.Write() {
      @Override
      public void apply() {
        applied.add(n);
      }

      @Override
      public void written() {
        written.add(n);
      }
    };
  }

  @Test
  void writesAreAppliedInOrderWhoeverWritesThem() throws Exception {
    List<Integer> applied = Collections.synchronizedList(new ArrayList<>());
    List<Integer> written = Collections.synchronizedList(new ArrayList<>());
    WriteBuffer buffer = new WriteBuffer("test-committer");
    int n = 0;
    for (int batch = 0; batch < 200; batch++) {
      int size = batch % 3 == 0 ? 2 : 30; // small batches written by the writer, large ones by the committer
      for (int i = 0; i < size; i++) {
        buffer.add(write(applied, written, n++));
      }
      buffer.batchEnded();
      if (batch % 50 == 0) {
        buffer.drain();
        assertEquals(n, applied.size(), "drain returns once everything queued before it is applied");
      }
    }
    buffer.close(true);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add(i);
    }
    assertEquals(expected, applied);
    assertEquals(expected, written, "each write is forgotten by readers only after it is applied");
  }

  @Test
  void aFailedWriteStopsTheRestAndIsThrownToTheWriter() {
    List<Integer> applied = new ArrayList<>();
    List<Integer> written = new ArrayList<>();
    RuntimeException failure = new java.io.UncheckedIOException(new java.io.IOException("disk gone"));
    WriteBuffer buffer = new WriteBuffer("test-committer");
    buffer.add(write(applied, written, 1));
    buffer.add(new WriteBuffer.Write() {
      @Override
      public void apply() {
        throw failure;
      }

      @Override
      public void written() {
        written.add(-1);
      }
    });
    buffer.add(write(applied, written, 3));
    assertSame(failure, assertThrows(RuntimeException.class, buffer::drain));
    assertEquals(List.of(1), applied, "nothing after the failed write is applied: the maps keep a prefix");
    assertEquals(List.of(1), written);
    assertSame(failure, assertThrows(RuntimeException.class, () -> buffer.add(write(applied, written, 4))));
    buffer.close(false);
  }
}
