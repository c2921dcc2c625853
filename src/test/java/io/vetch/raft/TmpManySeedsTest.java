package io.vetch.raft;

import org.junit.jupiter.api.Test;

class TmpManySeedsTest {
  @Test
  void many() throws Exception {
    SimulationTest t = new SimulationTest();
    var m = SimulationTest.class.getDeclaredMethod("run", int.class, long.class, java.util.function.Consumer.class,
        boolean.class);
    m.setAccessible(true);
    StringBuilder fails = new StringBuilder();
    for (long seed = 7062; seed < 7063; seed++) {
      java.util.function.Consumer<RaftConfig> tune = seed % 3 == 0 ? c -> { c.preVote = false; c.checkQuorum = false; }
          : c -> { };
      try {
        m.invoke(t, seed % 2 == 0 ? 5 : 3, seed, tune, true);
      } catch (java.lang.reflect.InvocationTargetException e) {
        String msg = String.valueOf(e.getCause());
        if (!msg.contains("too little") && !msg.contains("no read was")) {
          fails.append(seed).append(": ").append(msg).append('\n');
        }
      }
    }
    if (fails.length() > 0) {
      throw new AssertionError(fails.toString());
    }
  }
}
