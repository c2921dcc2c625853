package io.vetch.mvcc.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import net.openhft.chronicle.hash.VanillaGlobalMutableState;
import net.openhft.chronicle.values.Values;
import org.junit.jupiter.api.Test;

/**
 * The shipped VanillaGlobalMutableState$$Native is what the Chronicle Values on the classpath generates (so an
 * upgrade that changes it fails here rather than misreading map headers), and Chronicle Map uses it instead of
 * compiling its own.
 */
class ChronicleNativeClassTest {
  private static final Path SOURCE =
      Path.of("src/main/java/net/openhft/chronicle/hash/VanillaGlobalMutableState$$Native.java");

  @Test
  void shippedClassIsWhatChronicleGeneratesAndIsTheOneUsed() throws Exception {
    Class<?> model = Class.forName("net.openhft.chronicle.values.ValueModel");
    Object m = model.getMethod("acquire", Class.class).invoke(null, VanillaGlobalMutableState.class);
    Method generate = Class.forName("net.openhft.chronicle.values.Generators")
        .getDeclaredMethod("generateNativeClass", model, String.class);
    generate.setAccessible(true);
    String expected = (String) generate.invoke(null, m, "VanillaGlobalMutableState$$Native");
    String shipped = Files.readAllLines(SOURCE).stream().filter(l -> !l.startsWith("//"))
        .collect(Collectors.joining("\n"));
    assertEquals(expected.strip(), shipped.strip(), "regenerate " + SOURCE + " for this Chronicle version");

    Class<?> used = Values.nativeClassFor(VanillaGlobalMutableState.class);
    assertEquals("net.openhft.chronicle.hash.VanillaGlobalMutableState$$Native", used.getName());
    // a class Chronicle compiles is defined from memory, with no code source
    assertNotNull(used.getProtectionDomain().getCodeSource(), "compiled at runtime");
    assertTrue(used.getProtectionDomain().getCodeSource().getLocation().toString().endsWith("target/classes/"),
        "loaded from " + used.getProtectionDomain().getCodeSource().getLocation());
  }
}
