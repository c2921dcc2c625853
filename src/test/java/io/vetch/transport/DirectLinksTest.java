package io.vetch.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.MessageType;
import io.vertx.core.buffer.Buffer;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The storage worker's own links: what a peer's transport reads from them, and what they hand back. */
class DirectLinksTest {
  private static Message ack(long index) {
    return Message.newBuilder().setType(MessageType.MsgAppResp).setFrom(1).setTo(2).setTerm(3).setIndex(index).build();
  }

  /** Sends m until the link takes it (it is handed back while the connection is being made). */
  private static void sendUntilTaken(DirectLinks links, Message m) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!links.send(List.of(m)).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "the link never connected");
      Thread.sleep(5);
    }
  }

  private static byte[] readFrame(DataInputStream in, byte type) throws Exception {
    int length = in.readInt();
    assertEquals(type, in.readByte());
    byte[] payload = new byte[length - 1];
    in.readFully(payload);
    return payload;
  }

  @Test
  void aPeerReadsHelloThenTheMessagesAndWhatCannotGoIsHandedBack() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        DirectLinks links = new DirectLinks(7, 1)) {
      links.peers(new PeerMap(Map.of(2L, URI.create("http://127.0.0.1:" + server.getLocalPort()))));
      sendUntilTaken(links, ack(10));
      Message withEntries = ack(11).toBuilder().setType(MessageType.MsgApp)
          .addEntries(Entry.newBuilder().setIndex(11).setTerm(3).setData(ByteString.copyFromUtf8("x"))).build();
      Message toStranger = ack(12).toBuilder().setTo(3).build();
      assertEquals(List.of(withEntries, toStranger), links.send(List.of(withEntries, ack(12), toStranger)),
          "entries and peers without a link are left to the transport, in order");
      try (Socket s = server.accept()) {
        DataInputStream in = new DataInputStream(s.getInputStream());
        PeerFrames.Hello hello = PeerFrames.hello(Buffer.buffer(readFrame(in, PeerFrames.HELLO)));
        assertEquals(new PeerFrames.Hello(7, 1), hello);
        assertEquals(ack(10), PeerFrames.decode(PeerFrames.RAFT, Buffer.buffer(readFrame(in, PeerFrames.RAFT)), 2));
        assertEquals(ack(12), PeerFrames.decode(PeerFrames.RAFT, Buffer.buffer(readFrame(in, PeerFrames.RAFT)), 2));
      }
    }
  }

  @Test
  void aPeerThatIsGoneCostsNoExceptionAndItsMessagesGoBack() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    try (DirectLinks links = new DirectLinks(7, 1)) {
      links.peers(new PeerMap(Map.of(2L, URI.create("http://127.0.0.1:" + port))));
      for (int i = 0; i < 20; i++) {
        assertEquals(List.of(ack(i)), links.send(List.of(ack(i))));
        Thread.sleep(2);
      }
    }
  }

  @Test
  void onlyPeersNamedByAddressOrLocalhostGetALink() {
    assertTrue(DirectLinks.direct(URI.create("http://127.0.0.1:2380")));
    assertTrue(DirectLinks.direct(URI.create("http://localhost:2380")));
    assertTrue(DirectLinks.direct(URI.create("http://[::1]:2380")));
    assertFalse(DirectLinks.direct(URI.create("http://etcd-1.example:2380")), "a name lookup could block");
    assertFalse(DirectLinks.direct(URI.create("http://127.0.0.1")), "no port");
  }
}
