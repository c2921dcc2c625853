package io.vetch.cli;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.SelectStrategy;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.IntSupplier;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.impl.transports.EpollTransport;
import io.vertx.core.impl.transports.TransportInternal;
import io.vetch.server.base.SerialLoad;
import java.util.function.LongPredicate;

/**
 * Vert.x's epoll transport whose event loops stay awake, polling, up to a budget after their last I/O or task while
 * the load is serial ({@link SerialLoad}): the next request, the storage worker's answer and the client's reply then
 * each cost no wake-up (an eventfd write by the sender, a halted vCPU woken by the host). They yield their CPU to any
 * other thread each time round, and block in epoll_wait as Netty's default does once the budget is spent or the load
 * is not serial. {@code -Dvetch.loopSpinMicros} sets the budget (1000 µs); 0 keeps Netty's default strategy.
 */
final class SpinningEpoll extends EpollTransport {
  static final long SPIN_MICROS = 1000;
  private final long spinNanos;

  private SpinningEpoll(long spinNanos) {
    this.spinNanos = spinNanos;
  }

  /** A Vert.x on this transport where epoll is available and the budget is not 0, else on the options' transport. */
  static Vertx vertx(VertxOptions options) {
    long micros = Long.getLong("vetch.loopSpinMicros", SPIN_MICROS);
    if (micros <= 0 || !Epoll.isAvailable()) {
      return Vertx.vertx(options);
    }
    return Vertx.builder().with(options)
        .withTransport(new TransportInternal("epoll", true, null, new SpinningEpoll(micros * 1000))).build();
  }

  @Override
  public IoHandlerFactory ioHandlerFactory() {
    return EpollIoHandler.newFactory(0, () -> new Strategy(spinNanos, SerialLoad::at));
  }

  /** One event loop's choice, each time round, between handling what is ready, polling again and blocking. */
  static final class Strategy implements SelectStrategy {
    private final long spinNanos;
    private final LongPredicate serialAt;
    private long lastActive;
    private boolean blocked;

    /** serialAt: whether the load counts as serial at a System.nanoTime(). */
    Strategy(long spinNanos, LongPredicate serialAt) {
      this.spinNanos = spinNanos;
      this.serialAt = serialAt;
      this.lastActive = System.nanoTime() - spinNanos;
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
      long now = System.nanoTime();
      if (hasTasks || blocked) { // tasks, or woken from epoll_wait: active now
        lastActive = now;
        blocked = false;
      }
      if (hasTasks) { // as Netty's default: poll without blocking, then run the tasks
        return selectNow.get();
      }
      if (now - lastActive < spinNanos && serialAt.test(now)) {
        int ready = selectNow.get();
        if (ready > 0) {
          lastActive = now;
          return ready;
        }
        Thread.yield();
        return CONTINUE;
      }
      blocked = true;
      return SELECT;
    }
  }
}
