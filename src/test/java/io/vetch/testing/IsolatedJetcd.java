package io.vetch.testing;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs jetcd client code in its own class loader. jetcd 0.8 is built on Vert.x 4 and cannot share a class loader
 * with the server's Vert.x 5, so the build copies jetcd with its own dependencies to target/jetcd-lib and scenario
 * classes (plain static methods taking the endpoint, written against jetcd and JUnit assertions only, living in the
 * package io.vetch.it.jetcd) are loaded from there next to them. Only strings and exceptions cross the boundary.
 */
public final class IsolatedJetcd {
  private static URLClassLoader loader;

  private IsolatedJetcd() {}

  /** Calls scenarioClass.method(endpoint) inside the jetcd class loader; its exceptions propagate as they are. */
  public static void run(String scenarioClass, String method, String endpoint) throws Throwable {
    ClassLoader isolated = loader();
    Class<?> c = Class.forName(scenarioClass, true, isolated);
    Method m = c.getMethod(method, String.class);
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(isolated); // Vert.x 4's ServiceLoader lookups must not see Vert.x 5
    try {
      m.invoke(null, endpoint);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private static synchronized ClassLoader loader() throws IOException {
    if (loader == null) {
      Path lib = Path.of("target", "jetcd-lib");
      List<URL> urls = new ArrayList<>();
      try (Stream<Path> jars = Files.list(lib)) {
        for (Path jar : (Iterable<Path>) jars.filter(p -> p.toString().endsWith(".jar")).sorted()::iterator) {
          urls.add(jar.toUri().toURL());
        }
      }
      urls.add(Path.of("target", "test-classes").toUri().toURL());
      loader = new URLClassLoader("jetcd", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }
    return loader;
  }
}
