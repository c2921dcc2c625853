package io.vetch.server.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.Unpooled;
import io.vetch.api.etcdserverpb.ResponseHeader;
import io.vetch.api.etcdserverpb.WatchResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameBufferTest {
  @Test
  void framesWhatTheReaderReadsBackAcrossGrowthAndTakes() throws Exception {
    FrameBuffer frames = new FrameBuffer();
    List<WatchResponse> sent = new ArrayList<>();
    byte[] shared = WatchResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setRevision(7)).build()
        .toByteArray();
    for (int i = 0; i < 300; i++) { // well past the first capacity
      WatchResponse r = WatchResponse.newBuilder().setWatchId(i + 1)
          .setHeader(ResponseHeader.newBuilder().setRevision(7)).build();
      if (i % 2 == 0) {
        frames.append(r);
      } else {
        WatchResponse idOnly = WatchResponse.newBuilder().setWatchId(i + 1).build();
        frames.append(idOnly.toByteArray(), shared);
      }
      sent.add(r);
    }
    assertEquals(300, frames.messages());
    int length = frames.length();
    byte[] wire = frames.take().getBytes();
    assertEquals(length, wire.length);
    assertEquals(0, frames.length());
    assertEquals(0, frames.messages());

    List<WatchResponse> read = new ArrayList<>();
    new GrpcFraming.Reader(1 << 20, m -> {
      try {
        read.add(WatchResponse.parseFrom(m));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, e -> {
      throw new AssertionError(e);
    }).read(Unpooled.wrappedBuffer(wire));
    assertEquals(sent, read);

    frames.append(sent.get(0)); // after a take it starts again from empty
    assertArrayEquals(java.util.Arrays.copyOf(wire, frames.length()), frames.take().getBytes());
  }
}
