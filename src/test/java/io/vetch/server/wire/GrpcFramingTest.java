package io.vetch.server.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrpcFramingTest {
  @Test
  void grpcMessageIsPercentEncodedOnlyWhereGrpcRequires() {
    String plain = "etcdserver: mvcc: required revision has been compacted";
    assertSame(plain, GrpcFraming.percentEncode(plain));
    assertEquals("100%25 sure", GrpcFraming.percentEncode("100% sure"));
    assertEquals("key %C3%A9%0A", GrpcFraming.percentEncode("key \u00e9\n"));
  }

  @Test
  void parserSplitsMessagesAcrossArbitraryChunksAndRejectsOversizeOnes() {
    List<String> got = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    var parser = GrpcFraming.parser(8, m -> got.add(m.toString()), errors::add);
    Buffer wire = Buffer.buffer().appendByte((byte) 0).appendInt(3).appendString("abc")
        .appendByte((byte) 0).appendInt(0)
        .appendByte((byte) 0).appendInt(8).appendString("12345678");
    for (int i = 0; i < wire.length(); i++) {
      parser.handle(wire.getBuffer(i, i + 1));
    }
    assertEquals(List.of("abc", "", "12345678"), got);
    assertTrue(errors.isEmpty());

    parser.handle(Buffer.buffer().appendByte((byte) 0).appendInt(9).appendString("123456789"));
    assertEquals(List.of("grpc: received message larger than max (9 vs. 8)"), errors);
    assertEquals(3, got.size());
    assertFalse(GrpcFraming.isProtobuf("application/grpc-web"));
    assertTrue(GrpcFraming.isProtobuf("application/grpc"));
  }
}
