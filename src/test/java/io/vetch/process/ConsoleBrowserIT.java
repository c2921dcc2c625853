package io.vetch.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.testing.TestMember;
import io.vetch.testing.VetchProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in real headless Chromium (Debian's chromium and chromedriver, driven by Selenium) against a
 * 3-member bin/vetch cluster with auth enabled: log in as root; the cluster page lists the three members and the
 * leader; browse the key tree, view a JSON value, edit it in the page and read the edit back with etcdctl; watch a
 * prefix and see an etcdctl put arrive; see a lease with its key and revoke it; the metrics charts; and the leader
 * shown changing after {@code etcdctl move-leader}. Screenshots go to target/console-screenshots/.
 */
class ConsoleBrowserIT {
  private static final String ROOT = "root:console-pw";

  @TempDir Path dir;

  private final List<VetchProcess> members = new ArrayList<>();
  private String endpoints;

  @Test
  void operateTheClusterFromTheBrowser() throws Exception {
    Path shots = Path.of("target/console-screenshots");
    Files.createDirectories(shots);
    String cluster = "";
    int[] client = new int[3];
    int[] peer = new int[3];
    for (int i = 0; i < 3; i++) {
      client[i] = TestMember.freePort();
      peer[i] = TestMember.freePort();
      cluster += (i == 0 ? "" : ",") + "ui" + i + "=http://127.0.0.1:" + peer[i];
    }
    WebDriver browser = null;
    try {
      for (int i = 0; i < 3; i++) {
        VetchProcess p = new VetchProcess("ui" + i, dir.resolve("ui" + i), dir.resolve("ui" + i + ".log"), client[i],
            peer[i], cluster);
        members.add(p);
        p.start();
      }
      endpoints = "127.0.0.1:" + client[0] + ",127.0.0.1:" + client[1] + ",127.0.0.1:" + client[2];
      eventually(() -> etcdctl(false, "put", "probe", "x")); // members up and a leader elected
      etcdctl(false, "del", "probe");
      etcdctl(false, "user", "add", ROOT);
      etcdctl(false, "auth", "enable");
      etcdctl(true, "put", "app/config/db", "{\"host\":\"db1\",\"port\":5432}");
      etcdctl(true, "put", "app/config/cache", "redis://cache:6379");
      etcdctl(true, "put", "app/name", "vetch demo");
      etcdctl(true, "put", "app/name", "vetch console demo");

      browser = chromium();
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
      String base = "http://127.0.0.1:" + client[0] + "/ui/"; // one origin: the token lives in its sessionStorage
      browser.get(base);

      // auth is on: the console asks for a login, and a wrong password is refused with etcd's message
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-user")));
      login(browser, "root", "wrong");
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "authentication failed"));
      login(browser, "root", "console-pw");
      wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("login-user")));

      // cluster page: three members, one leader, live figures
      wait.until(d -> d.findElements(By.cssSelector("#members tr[data-member]")).size() == 3);
      wait.until(d -> d.findElements(By.cssSelector("#members .badge.leader")).size() == 1);
      String leader = browser.findElement(By.id("leader-name")).getText();
      assertTrue(leader.startsWith("ui"), "leader shown: " + leader);
      wait.until(d -> d.findElements(By.cssSelector("#members td.good")).size() == 3); // all healthy
      shot(browser, shots, "cluster.png");

      // keys page: the tree, a JSON value, its history; edit it and read it back with etcdctl
      browser.get(base + "#/keys");
      wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#tree a[data-dir='app/']"))).click();
      wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#tree a[data-dir='app/config/']"))).click();
      wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#tree a[data-key='app/config/db']"))).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("value"), "\"host\": \"db1\""));
      browser.findElement(By.cssSelector("#tree a.dir")).click(); // ".." back to app/
      wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#tree a[data-key='app/name']"))).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("history"), "vetch demo"));
      assertEquals("2", browser.findElement(By.id("version")).getText());
      WebElement edit = browser.findElement(By.id("edit-value"));
      edit.clear();
      edit.sendKeys("edited in the browser");
      browser.findElement(By.id("cas")).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("edit-result"), "compare-and-set succeeded"));
      assertEquals("edited in the browser", etcdctl(true, "get", "app/name", "--print-value-only").trim());
      wait.until(ExpectedConditions.textToBe(By.id("version"), "3"));
      shot(browser, shots, "keys.png");

      // watch page: an etcdctl put on another member shows up as an event
      browser.get(base + "#/watch");
      WebElement prefix = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("watch-prefix")));
      prefix.sendKeys("app/");
      browser.findElement(By.id("watch-start")).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("watch-state"), "watching prefix app/"));
      etcdctl(true, "put", "app/events/1", "hello from etcdctl");
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("events"), "hello from etcdctl"));
      etcdctl(true, "del", "app/config/cache");
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("events"), "DELETE"));
      shot(browser, shots, "watch.png");

      // leases page: a lease with its key, revoked from the page
      String grant = etcdctl(true, "lease", "grant", "600");
      String lease = grant.split("\\s+")[1];
      etcdctl(true, "put", "app/session/42", "alive", "--lease", lease);
      browser.get(base + "#/leases");
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("leases"), "app/session/42"));
      assertTrue(browser.findElement(By.id("leases")).getText().contains(lease), "lease id shown in hex");
      shot(browser, shots, "leases.png");
      browser.findElement(By.cssSelector("#leases button[data-revoke]")).click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("leases"), "no leases"));
      assertEquals("", etcdctl(true, "get", "app/session/42").trim(), "the revoke deleted the key");

      // metrics page: charts drawn from /metrics while writes go on
      browser.get(base + "#/metrics");
      for (int i = 0; i < 20; i++) {
        etcdctl(true, "put", "app/load/" + i, "x");
      }
      wait.until(d -> d.findElements(By.cssSelector("#charts svg polyline")).size() == 6);
      wait.until(d -> !d.findElement(By.cssSelector("#chart-writes polyline")).getAttribute("points").isEmpty());
      shot(browser, shots, "metrics.png");

      // move-leader: the cluster page follows
      browser.get(base + "#/cluster");
      wait.until(d -> d.findElements(By.cssSelector("#members .badge.leader")).size() == 1);
      String before = browser.findElement(By.id("leader-name")).getText();
      int from = Integer.parseInt(before.substring(2));
      int to = (from + 1) % 3;
      String target = browser.findElement(By.cssSelector("#members tr[data-member='ui" + to + "'] td.mono")).getText();
      etcdctlAt("127.0.0.1:" + client[from], "move-leader", target);
      wait.until(ExpectedConditions.textToBe(By.id("leader-name"), "ui" + to));
      assertNotEquals(before, browser.findElement(By.id("leader-name")).getText());
      shot(browser, shots, "cluster-after-move-leader.png");
    } finally {
      if (browser != null) {
        browser.quit();
      }
      for (VetchProcess p : members) {
        p.close();
      }
    }
  }

  private static void login(WebDriver browser, String user, String password) {
    WebElement u = browser.findElement(By.id("login-user"));
    u.clear();
    u.sendKeys(user);
    WebElement p = browser.findElement(By.id("login-password"));
    p.clear();
    p.sendKeys(password);
    browser.findElement(By.id("login-submit")).click();
  }

  private WebDriver chromium() throws IOException {
    assertTrue(Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isExecutable(Path.of("/usr/bin/chromedriver")),
        "needs Debian's chromium and chromium-driver (bin/test installs them)");
    ChromeOptions o = new ChromeOptions();
    o.setBinary("/usr/bin/chromium");
    o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1360,900", "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, o);
  }

  private static void shot(WebDriver browser, Path dir, String name) throws IOException {
    Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(png, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }

  private String etcdctl(boolean asRoot, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("--endpoints", endpoints));
    if (asRoot) {
      cmd.addAll(List.of("--user", ROOT));
    }
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  private String etcdctlAt(String endpoint, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("--endpoints", endpoint, "--user", ROOT));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  private String run(List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("etcdctl", "--dial-timeout=3s", "--command-timeout=10s"));
    cmd.addAll(args);
    // stdout only: the client logs its retries on stderr (e.g. a member that has not yet applied the
    // Authenticate another member answered refuses the token once: "invalid auth token", retried)
    Path err = Files.createTempFile("etcdctl", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
      pb.environment().put("ETCDCTL_API", "3");
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("etcdctl " + args + " failed: " + out + Files.readString(err)
            + "\n" + members.get(0).logTail());
      }
      return out;
    } finally {
      Files.deleteIfExists(err);
    }
  }

  private void eventually(ThrowingRunnable r) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        r.run();
        return;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(300);
      }
    }
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }
}
