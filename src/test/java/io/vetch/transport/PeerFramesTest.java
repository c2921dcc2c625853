package io.vetch.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.MessageType;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The frames the transport encodes in Netty's direct memory are the frames it decodes. */
class PeerFramesTest {
  private static byte[] bytes(ByteBuf frame) {
    try {
      assertEquals(1, frame.refCnt());
      return ByteBufUtil.getBytes(frame);
    } finally {
      frame.release();
    }
  }

  @Test
  void raftMessageInDirectMemory() throws Exception {
    Message app = Message.newBuilder().setType(MessageType.MsgApp).setTo(2).setFrom(1).setTerm(3).setIndex(7)
        .addEntries(Entry.newBuilder().setTerm(3).setIndex(8).setData(ByteString.copyFrom(new byte[300]))).build();
    byte[] direct = bytes(PeerFrames.frame(ByteBufAllocator.DEFAULT, PeerFrames.RAFT, app));
    assertArrayEquals(PeerFrames.frame(PeerFrames.RAFT, app).getBytes(), direct);
    Buffer payload = Buffer.buffer(direct).slice(5, direct.length);
    assertEquals(app, PeerFrames.decode(PeerFrames.RAFT, payload, 2));
  }

  @Test
  void forwardedProposalInDirectMemory() throws Exception {
    ForwardedProposal p = new ForwardedProposal(1, 42, new byte[] {10, 3, 'k', 'e', 'y'}, false);
    byte[] direct = bytes(PeerFrames.proposal(ByteBufAllocator.DEFAULT, p));
    assertEquals(5 + 8 + 5, direct.length);
    assertEquals(PeerFrames.PROPOSAL, direct[4]);
    ForwardedProposal back = (ForwardedProposal) PeerFrames.decode(PeerFrames.PROPOSAL,
        Buffer.buffer(direct).slice(5, direct.length), 1);
    assertEquals(42, back.id());
    assertArrayEquals(p.data(), back.data());
    byte[] conf = bytes(PeerFrames.proposal(ByteBufAllocator.DEFAULT, new ForwardedProposal(1, 43, new byte[] {8, 1},
        true)));
    assertEquals(PeerFrames.PROPOSAL_CONF, conf[4]);
  }
}
