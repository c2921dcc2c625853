package io.vetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.SelectStrategy;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The event loops' select strategy: Netty's default unless the load is serial and the loop was active within the
 * budget; then it polls without blocking and goes round again until something is ready or the budget is spent.
 */
class SpinningEpollTest {
  private static final long BUDGET = TimeUnit.MILLISECONDS.toNanos(200);
  private final AtomicBoolean serial = new AtomicBoolean();
  private final AtomicInteger ready = new AtomicInteger();
  private final AtomicInteger polls = new AtomicInteger();
  private final SpinningEpoll.Strategy strategy = new SpinningEpoll.Strategy(BUDGET, now -> serial.get());

  private int next(boolean hasTasks) throws Exception {
    return strategy.calculateStrategy(() -> {
      polls.incrementAndGet();
      return ready.get();
    }, hasTasks);
  }

  @Test
  void notSerialIsNettysDefault() throws Exception {
    ready.set(3);
    assertEquals(3, next(true), "tasks: poll, then run them");
    ready.set(0);
    assertEquals(SelectStrategy.SELECT, next(false), "nothing to do: block");
    assertEquals(1, polls.get());
  }

  @Test
  void serialPollsUntilTheBudgetIsSpent() throws Exception {
    serial.set(true);
    assertEquals(SelectStrategy.SELECT, next(false), "not active yet: block");
    assertEquals(0, polls.get());
    assertEquals(SelectStrategy.CONTINUE, next(false), "woken from epoll_wait: active, poll again");
    ready.set(2);
    assertEquals(2, next(false), "something ready: handle it");
    ready.set(0);
    assertEquals(SelectStrategy.CONTINUE, next(false));
    serial.set(false);
    assertEquals(SelectStrategy.SELECT, next(false), "the load is no longer serial: block");
    serial.set(true);
    assertEquals(0, next(true), "a task: active again");
    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(BUDGET) + 50);
    assertEquals(SelectStrategy.SELECT, next(false), "the budget is spent: block");
  }
}
