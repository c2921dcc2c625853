package io.vetch.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A PING acknowledgement (as Netty's HTTP/2 codec writes it) waits MIN_HOLD_MS, then for the next write, or at most
 * HOLD_MS.
 */
class PingAckDeferralTest {
  /** The bytes Netty's frame writer produces for a PING, ack or not. */
  private static ByteBuf ping(boolean ack, long data) throws Exception {
    EmbeddedChannel ch = new EmbeddedChannel(new io.netty.channel.ChannelOutboundHandlerAdapter());
    ChannelHandlerContext ctx = ch.pipeline().firstContext();
    new DefaultHttp2FrameWriter().writePing(ctx, ack, data, ctx.newPromise());
    ch.flush();
    ByteBuf b = ch.readOutbound();
    ch.finishAndReleaseAll();
    return b;
  }

  @Test
  void anAckLeavesBehindTheNextWriteAfterTheLeastHold() throws Exception {
    EmbeddedChannel ch = new EmbeddedChannel(new PingAckDeferral());
    ch.freezeTime();
    ByteBuf ack = ping(true, 42);
    assertTrue(PingAckDeferral.isPingAck(ack));
    ch.writeAndFlush(ack);
    assertNull(ch.readOutbound(), "held while nothing else is written");
    ByteBuf early = Unpooled.wrappedBuffer(new byte[] {9});
    ch.writeAndFlush(early);
    assertEquals(early, ch.readOutbound(), "a write before the least hold leaves at once");
    assertNull(ch.readOutbound(), "without the acknowledgement");
    early.release();
    ch.advanceTimeBy(PingAckDeferral.MIN_HOLD_MS, TimeUnit.MILLISECONDS);
    ByteBuf headers = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
    ByteBuf data = Unpooled.wrappedBuffer(new byte[] {4, 5});
    ch.write(headers);
    ch.write(data);
    assertNull(ch.readOutbound(), "nothing leaves before the flush");
    ch.flush();
    assertEquals(headers, ch.readOutbound());
    assertEquals(data, ch.readOutbound());
    ByteBuf last = ch.readOutbound();
    assertTrue(PingAckDeferral.isPingAck(last), "the acknowledgement goes behind what the flush sends");
    assertEquals(42, last.getLong(9));
    assertEquals(-1, ch.runScheduledPendingTasks(), "no flush timer is left to wake the event loop");
    last.release();
    headers.release();
    data.release();
    assertFalse(ch.finish());
  }

  @Test
  void anAckWithNothingToFollowIsFlushedAfterTheHold() throws Exception {
    EmbeddedChannel ch = new EmbeddedChannel(new PingAckDeferral());
    ch.freezeTime();
    ch.writeAndFlush(ping(true, 7));
    ch.advanceTimeBy(PingAckDeferral.HOLD_MS - 1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertNull(ch.readOutbound());
    ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    ByteBuf out = ch.readOutbound();
    assertTrue(PingAckDeferral.isPingAck(out));
    out.release();
    assertFalse(ch.finish());
  }

  @Test
  void aPingThatIsNoAckAndOtherFramesPassAtOnce() throws Exception {
    EmbeddedChannel ch = new EmbeddedChannel(new PingAckDeferral());
    ByteBuf probe = ping(false, 9);
    assertFalse(PingAckDeferral.isPingAck(probe));
    ch.writeAndFlush(probe);
    ByteBuf out = ch.readOutbound();
    assertEquals(17, out.readableBytes());
    out.release();
    ByteBuf seventeen = ByteBufAllocator.DEFAULT.buffer(17).writeZero(17); // a DATA frame of 8 zero bytes
    assertFalse(PingAckDeferral.isPingAck(seventeen));
    ch.writeAndFlush(seventeen);
    ByteBuf back = ch.readOutbound();
    assertEquals(seventeen, back);
    back.release();
    assertFalse(ch.finish());
  }
}
