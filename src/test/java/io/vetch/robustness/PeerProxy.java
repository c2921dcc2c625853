package io.vetch.robustness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongPredicate;

/**
 * A TCP proxy in front of one member's peer port, on loopback: every peer connection to the member goes through
 * it. A member dials each peer and sends only on its own connection, starting with HELLO (u32 length, u8 type 1,
 * u64 cluster id, u64 member id), so the proxy knows whose traffic a connection carries. refuse(src) decides,
 * at connect and for every chunk, whether traffic from member src to this one is cut: a cut connection is closed,
 * and the sender's transport keeps redialing (refused) until the cut heals. delayMs holds every chunk back.
 * Daemon threads; close() stops it all.
 */
final class PeerProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int target;
  private final LongPredicate refuse;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  volatile long delayMs;
  private volatile boolean closed;

  PeerProxy(int listenPort, int target, LongPredicate refuse) throws IOException {
    this.server = new ServerSocket(listenPort, 50, InetAddress.getLoopbackAddress());
    this.target = target;
    this.refuse = refuse;
    Thread t = new Thread(this::accept, "proxy-" + listenPort);
    t.setDaemon(true);
    t.start();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket in = server.accept();
        Thread t = new Thread(() -> serve(in), "proxy-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket in) {
    Socket out = null;
    try {
      in.setTcpNoDelay(true);
      InputStream from = in.getInputStream();
      byte[] first = from.readNBytes(5); // u32 length | u8 type: HELLO carries the sender, JOIN (shorter) not
      byte[] hello = first.length == 5 && first[4] == 1
          ? ByteBuffer.allocate(21).put(first).put(from.readNBytes(16)).array() : first;
      long src = hello.length == 21 ? ByteBuffer.wrap(hello, 13, 8).getLong() : 0;
      if (src != 0 && refuse.test(src)) {
        in.close();
        return;
      }
      out = new Socket(InetAddress.getLoopbackAddress(), target);
      out.setTcpNoDelay(true);
      open.add(in);
      open.add(out);
      out.getOutputStream().write(hello);
      Socket o = out;
      Thread back = new Thread(() -> pump(o, in, src), "proxy-back");
      back.setDaemon(true);
      back.start();
      pump(in, out, src);
    } catch (IOException e) {
      // a side went away: both are closed below
    } finally {
      closeQuietly(in);
      closeQuietly(out);
    }
  }

  private void pump(Socket a, Socket b, long src) {
    byte[] buf = new byte[64 * 1024];
    try {
      InputStream in = a.getInputStream();
      OutputStream out = b.getOutputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        if (src != 0 && refuse.test(src)) {
          break;
        }
        long d = delayMs;
        if (d > 0) {
          Thread.sleep(d);
        }
        out.write(buf, 0, n);
      }
    } catch (IOException | InterruptedException e) {
      // closed
    } finally {
      closeQuietly(a);
      closeQuietly(b);
    }
  }

  /** Closes the connections carrying traffic from a member now cut (they would notice at their next chunk). */
  void dropAll() {
    open.forEach(PeerProxy::closeQuietly);
    open.clear();
  }

  private static void closeQuietly(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    dropAll();
  }
}
