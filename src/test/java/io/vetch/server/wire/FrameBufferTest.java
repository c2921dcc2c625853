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
        frames.appendVarintField(WatchResponse.WATCH_ID_FIELD_NUMBER, i + 1, shared);
      }
      sent.add(r);
    }
    assertEquals(300, frames.messages());
    int length = frames.length();
    byte[] wire = frames.take().getBytes();
    assertEquals(length, wire.length);
    assertEquals(0, frames.length());
    assertEquals(0, frames.messages());

    assertEquals(sent, readBack(wire));

    frames.append(sent.get(0)); // after a take it starts again from empty
    assertArrayEquals(java.util.Arrays.copyOf(wire, frames.length()), frames.take().getBytes());
  }

  @Test
  void aVarintFieldIsEncodedAsProtobufEncodesIt() throws Exception {
    byte[] shared = WatchResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setRevision(9)).build()
        .toByteArray();
    long[] ids = {0, 1, 127, 128, 300, 1L << 35, Long.MAX_VALUE, -1, Long.MIN_VALUE};
    FrameBuffer frames = new FrameBuffer();
    for (long id : ids) {
      frames.appendVarintField(WatchResponse.WATCH_ID_FIELD_NUMBER, id, shared);
    }
    int length = frames.length();
    List<WatchResponse> read = readBack(frames.take().getBytes());
    assertEquals(ids.length, read.size());
    int wantLength = 0;
    for (int i = 0; i < ids.length; i++) {
      WatchResponse want = WatchResponse.newBuilder().setWatchId(ids[i])
          .setHeader(ResponseHeader.newBuilder().setRevision(9)).build();
      assertEquals(want, read.get(i));
      wantLength += GrpcFraming.PREFIX + want.getSerializedSize(); // as long as protobuf's own: 0 left out
    }
    assertEquals(wantLength, length);
  }

  /** The responses framed in wire, read back with the request parser. */
  private static List<WatchResponse> readBack(byte[] wire) {
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
    return read;
  }
}
