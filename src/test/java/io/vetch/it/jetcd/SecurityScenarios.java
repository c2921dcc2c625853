package io.vetch.it.jetcd;

import static io.vetch.it.jetcd.KvScenarios.b;
import static io.vetch.it.jetcd.KvScenarios.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import io.etcd.jetcd.options.GetOption;
import java.io.File;
import java.util.concurrent.ExecutionException;

/** Auth over TLS through jetcd (in jetcd's own class loader; see IsolatedJetcd). */
public final class SecurityScenarios {
  private SecurityScenarios() {}

  /**
   * target: "ENDPOINT|CA_FILE". Over TLS checked against the CA: root sets up a user allowed to read and write
   * app/ only and enables auth; that user, logged in with jetcd's user/password, works in app/ and is refused
   * elsewhere; a wrong password is refused.
   */
  public static void authOverTls(String target) throws Exception {
    String endpoint = target.substring(0, target.indexOf('|'));
    File ca = new File(target.substring(target.indexOf('|') + 1));
    try (Client root = Client.builder().endpoints(endpoint).sslContext(s -> s.trustManager(ca)).build()) {
      var auth = root.getAuthClient();
      get(auth.userAdd(b("root"), b("rootpw")));
      get(auth.roleAdd(b("root")));
      get(auth.userGrantRole(b("root"), b("root")));
      get(auth.userAdd(b("app"), b("apppw")));
      get(auth.roleAdd(b("app-rw")));
      get(auth.roleGrantPermission(b("app-rw"), b("app/"), b("app0"), Permission.Type.READWRITE));
      get(auth.userGrantRole(b("app"), b("app-rw")));
      get(root.getKVClient().put(b("secret"), b("s")));
      get(auth.authEnable());
    }
    try (Client app = Client.builder().endpoints(endpoint).sslContext(s -> s.trustManager(ca))
        .user(b("app")).password(b("apppw")).build()) {
      get(app.getKVClient().put(b("app/x"), b("1")));
      assertEquals(1, get(app.getKVClient().get(b("app/"), GetOption.builder().isPrefix(true).build())).getCount());
      expect(() -> get(app.getKVClient().get(b("secret"))), "permission denied");
      expect(() -> get(app.getKVClient().put(b("other"), b("x"))), "permission denied");
    }
    try (Client wrong = Client.builder().endpoints(endpoint).sslContext(s -> s.trustManager(ca))
        .user(b("app")).password(b("nope")).build()) {
      expect(() -> get(wrong.getKVClient().get(b("app/x"))), "authentication failed");
    }
    try (Client root = Client.builder().endpoints(endpoint).sslContext(s -> s.trustManager(ca))
        .user(b("root")).password(b("rootpw")).build()) {
      assertEquals("s", get(root.getKVClient().get(b("secret"))).getKvs().get(0).getValue().toString());
    }
  }

  private interface Call {
    void run() throws Exception;
  }

  private static void expect(Call call, String message) throws Exception {
    try {
      call.run();
      fail("expected " + message);
    } catch (ExecutionException e) {
      String all = String.valueOf(e.getCause());
      Throwable t = e.getCause();
      while (t != null) {
        all += " " + t.getMessage();
        t = t.getCause();
      }
      assertTrue(all.contains(message), all);
    } catch (RuntimeException e) {
      assertTrue(String.valueOf(e.getMessage()).contains(message) || String.valueOf(e.getCause()).contains(message),
          String.valueOf(e));
    }
  }
}
