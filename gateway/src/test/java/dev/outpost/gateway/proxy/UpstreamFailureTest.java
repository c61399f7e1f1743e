package dev.outpost.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.gateway.support.GatewayTestEnvironment;
import dev.outpost.gateway.support.LogCapture;
import dev.outpost.gateway.support.LoopbackUpstream;
import dev.outpost.gateway.support.PrometheusText;
import dev.outpost.gateway.support.RawHttp;
import dev.outpost.gateway.support.RawUpstream;
import dev.outpost.gateway.support.SilentListener;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.http.HttpServer;
import java.net.URL;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * Upstreams that time out, refuse or never complete connections, or come back: 504, 502, retries of
 * idempotent methods only, and the circuit breaker opening (503), half-opening and closing. Routes {@code dead-*}
 * allow 2 retries; the breaker opens after 5 consecutive failures and stays open 1 s.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestEnvironment.class)
class UpstreamFailureTest {

  @jakarta.inject.Inject
  ProxyHandler proxy;

  @TestHTTPResource("/")
  URL gateway;

  @TestHTTPResource(value = "/metrics", management = true)
  URL metrics;

  private RawHttp.Response send(String method, String path) throws Exception {
    String body = method.equals("POST") ? "Content-Length: 2\r\n\r\nhi" : "\r\n";
    return RawHttp.send(gateway.getPort(), method + " " + path + " HTTP/1.1\r\nHost: gw\r\n" + body);
  }

  @Test
  void aSlowUpstreamGets504AtTheRouteTimeout() throws Exception {
    long start = System.nanoTime();
    RawHttp.Response response = send("GET", "/slow/x");
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(response.status()).isEqualTo(504);
    assertThat(response.body()).contains("did not answer in time");
    // well before the upstream's 1.5 s and the default 30 s; not tighter, on a loaded machine
    assertThat(millis).isBetween(500L, 3000L);
  }

  @Test
  void aConnectTimeoutIs502AndCountedOnceByTheBreaker() throws Exception {
    try (SilentListener silent = new SilentListener(GatewayTestEnvironment.deadPorts.get("silent"))) {
      // one connect attempt per request (the route has no retries), timing out after the test profile's 500 ms
      for (int i = 0; i < 5; i++) {
        String method = i % 2 == 0 ? "GET" : "POST";
        RawHttp.Response response = send(method, "/silent/x");
        assertThat(response.status()).as("%s %d", method, i).isEqualTo(502);
        assertThat(response.body()).contains("integration int-silent could not be reached");
      }
      RawHttp.Response refused = send("POST", "/silent/x");
      assertThat(refused.status()).as("open after exactly the threshold of 5 failures").isEqualTo(503);
      assertThat(refused.body()).contains("circuit open");
      // when the next trial may go: the test profile's open duration is one second
      assertThat(refused.header("Retry-After")).isEqualTo("1");
    }
  }

  @Test
  void idempotentRequestsAreRetriedSoTheBreakerOpensSooner() throws Exception {
    // 3 attempts (1 + 2 retries) per GET: the 2nd GET reaches the 5th failure and is cut short
    assertThat(send("GET", "/dead-get/x").status()).isEqualTo(502);
    RawHttp.Response second = send("GET", "/dead-get/x");
    assertThat(second.status()).isEqualTo(503);
    assertThat(second.body()).contains("circuit open");
  }

  @Test
  void postsAreNotRetried() throws Exception {
    // 1 attempt per POST: five 502s before the breaker opens
    for (int i = 0; i < 5; i++) {
      assertThat(send("POST", "/dead-post/x").status()).as("POST %d", i).isEqualTo(502);
    }
    assertThat(send("POST", "/dead-post/x").status()).isEqualTo(503);
  }

  @Test
  void clientsLeavingMidRequestDoNotOpenTheBreaker() throws Exception {
    for (int i = 0; i < 8; i++) {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.getPort())) {
        socket.getOutputStream().write("GET /pub/slow HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes());
        socket.getOutputStream().flush();
        Thread.sleep(50);
      }
    }
    Thread.sleep(200);
    assertThat(send("GET", "/pub/x").status()).isEqualTo(200);
  }

  @Test
  void theBreakerClosesWhenTheUpstreamComesBack() throws Exception {
    for (int i = 0; i < 2; i++) {
      send("GET", "/flap/x");
    }
    assertThat(send("GET", "/flap/x").status()).isEqualTo(503);
    // checked before the upstream comes back: its listen can take longer than the open time (1 s) on
    // a loaded machine, and the request after it was then the trial
    assertThat(send("GET", "/flap/x").status()).as("still open").isEqualTo(503);
    int port = GatewayTestEnvironment.deadPorts.get("flap");
    HttpServer server = GatewayTestEnvironment.vertx.createHttpServer().requestHandler(r -> r.response().end("back"))
        .listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    try {
      Thread.sleep(1100);
      RawHttp.Response trial = send("GET", "/flap/x");
      assertThat(trial.status()).isEqualTo(200);
      assertThat(trial.body()).isEqualTo("back");
      assertThat(statusAfterTheTrial("/flap/x")).as("closed after the trial").isEqualTo(200);
    } finally {
      server.close();
    }
  }

  @Test
  void aClientStallingItsBodyGets408AndDoesNotOpenTheBreaker() throws Exception {
    for (int i = 0; i < 6; i++) {
      // a few bytes, or half a megabyte that the upstream reads at once, then nothing
      String sent = i % 2 == 0 ? "abc" : "a".repeat(512 * 1024);
      RawHttp.Response response = RawHttp.send(gateway.getPort(),
          "POST /stall/upload HTTP/1.1\r\nHost: gw\r\nContent-Length: 1000000\r\n\r\n" + sent);
      assertThat(response.status()).as("stalled upload %d", i).isEqualTo(408);
      assertThat(response.body()).contains("the request body did not arrive in time");
    }
    assertThat(send("GET", "/stall/x").status()).isEqualTo(200);
  }

  /**
   * A body whose last byte arrives well within the route's timeout (2 s) leaves the upstream the
   * whole timeout to answer from then: the upload's slowness is the client's, and must not become the
   * integration's 504, which opened its breaker. Upload and answer together take longer than the
   * timeout; each alone has 500 ms to spare, for a loaded machine.
   */
  @Test
  void theUpstreamHasTheWholeTimeoutToAnswerOnceTheBodyHasGoneUp() throws Exception {
    try (java.net.Socket client = new java.net.Socket("127.0.0.1", gateway.getPort())) {
      client.setSoTimeout(10_000);
      java.io.OutputStream out = client.getOutputStream();
      out.write("POST /upload/pause?ms=1500 HTTP/1.1\r\nHost: gw\r\nContent-Length: 10\r\n\r\n123456789".getBytes());
      out.flush();
      Thread.sleep(1000);
      out.write('0');
      out.flush();
      RawHttp.Response response = RawHttp.read(client.getInputStream());
      assertThat(response.status()).as("answered 1.5 s after a body that took 1 s").isEqualTo(200);
      assertThat(response.body()).isEqualTo("paused");
    }
  }

  /**
   * An upstream that answers before reading the body (an early 405) and keeps its connection open:
   * that connection can never go back to the pool, and nothing else would close it, so the gateway
   * closes it at once. 64 such requests held a whole pool, and every request after them got 503.
   */
  @Test
  void aResponseEndingBeforeTheBodyHasGoneUpClosesItsUpstreamConnection() throws Exception {
    try (java.net.ServerSocket server = new java.net.ServerSocket(GatewayTestEnvironment.deadPorts.get("raw"), 50,
        java.net.InetAddress.getLoopbackAddress())) {
      CompletableFuture<Boolean> closedByGateway =
          answerOnceThenAwaitClose(server, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
      try (java.net.Socket client = new java.net.Socket("127.0.0.1", gateway.getPort())) {
        client.setSoTimeout(5000);
        client.getOutputStream().write(
            "POST /raw/x HTTP/1.1\r\nHost: gw\r\nContent-Length: 1000000\r\n\r\n0123456789".getBytes());
        assertThat(RawHttp.read(client.getInputStream()).status()).isEqualTo(405);
        // the client stays, its body unfinished
        assertThat(closedByGateway.get(5, TimeUnit.SECONDS)).as("upstream connection closed").isTrue();
      }
    }
  }

  /**
   * An integration that answers (a 401, say) without reading a large body: the gateway's copy of the
   * body to it stopped, and with it the reading of the client's, which stayed unread for good; a
   * client that writes its whole body before reading blocked until the idle timeout cut it, and
   * never saw the answer. The rest is read and dropped (RFC 9110 9.3: or close), and the connection
   * serves the next request.
   */
  @Test
  void aClientStillSendingWhenTheIntegrationAnsweredEarlyReadsTheAnswerAndKeepsItsConnection() throws Exception {
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    try (java.net.ServerSocket server = new java.net.ServerSocket(GatewayTestEnvironment.deadPorts.get("sink"), 50,
        java.net.InetAddress.getLoopbackAddress())) {
      CompletableFuture.runAsync(() -> {
        try (java.net.Socket socket = server.accept()) {
          java.io.InputStream in = socket.getInputStream();
          String head = "";
          while (!head.endsWith("\r\n\r\n")) {
            head += (char) in.read();
          }
          socket.getOutputStream().write("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n".getBytes());
          done.await(); // never reads the body
        } catch (Exception e) {
          // the test ended
        }
      });
      try (java.net.Socket client = new java.net.Socket("127.0.0.1", gateway.getPort())) {
        client.setSoTimeout(5000);
        java.io.OutputStream out = client.getOutputStream();
        uploadToSink(out).get(10, TimeUnit.SECONDS); // the whole body written before anything is read
        assertThat(RawHttp.read(client.getInputStream()).status()).isEqualTo(401);
        assertThat(exchange(client, "GET /pub/after-early-answer HTTP/1.1\r\nHost: gw\r\n\r\n").status())
            .as("the connection serves the next request").isEqualTo(200);
      } finally {
        done.countDown();
      }
    }
  }

  /**
   * POSTs a 9 MiB body to the sink route, in the background: more than every socket buffer between
   * the gateway and the upstream, less than the route's 16 MiB limit. Fails with the write's error.
   */
  private static CompletableFuture<Void> uploadToSink(java.io.OutputStream out) {
    long size = 9L * 1024 * 1024;
    return CompletableFuture.runAsync(() -> {
      try {
        out.write(("POST /sink/upload HTTP/1.1\r\nHost: gw\r\nContent-Length: " + size + "\r\n\r\n").getBytes());
        byte[] chunk = new byte[64 * 1024];
        for (long written = 0; written < size; written += chunk.length) {
          out.write(chunk);
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @Test
  void anUpstreamThatStopsReadingTheBodyGets504AndOpensTheBreaker() throws Exception {
    // a listening socket that is never accepted: connections open, and the upstream never reads a byte
    try (java.net.ServerSocket sink = new java.net.ServerSocket(GatewayTestEnvironment.deadPorts.get("sink"), 50,
        java.net.InetAddress.getLoopbackAddress())) {
      for (int i = 0; i < 5; i++) {
        try (java.net.Socket client = new java.net.Socket("127.0.0.1", gateway.getPort())) {
          client.setSoTimeout(5000);
          java.io.OutputStream out = client.getOutputStream();
          // the gateway answers and closes the connection before the body has all gone
          CompletableFuture<Void> upload = uploadToSink(out).exceptionally(closedByGateway -> null);
          long start = System.nanoTime();
          RawHttp.Response response = RawHttp.read(client.getInputStream());
          long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          assertThat(response.status()).as("upload %d into an upstream that does not read", i).isEqualTo(504);
          assertThat(response.body()).contains("integration int-sink stopped reading the request body");
          assertThat(millis).as("at the route's 500 ms").isBetween(300L, 2500L);
          client.close();
          upload.get(5, TimeUnit.SECONDS);
        }
      }
      RawHttp.Response refused = send("GET", "/sink/x");
      assertThat(refused.status()).as("five 504s opened the breaker").isEqualTo(503);
    }
  }

  /** Sends a GET for {@code path} and reads until the gateway closes the connection: what arrived, and when the last byte did. */
  private record Cut(String received, long closedAfterSentMillis) {}

  private Cut getUntilClosed(String path) throws Exception {
    try (java.net.Socket client = new java.net.Socket("127.0.0.1", gateway.getPort())) {
      client.setSoTimeout(5000);
      client.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: gw\r\n\r\n").getBytes());
      java.io.InputStream in = client.getInputStream();
      StringBuilder received = new StringBuilder();
      // timed from the request, not from the last byte read: a client thread descheduled for a while
      // reads the last bytes and the close together
      long sent = System.nanoTime();
      try {
        for (int c = in.read(); c != -1; c = in.read()) {
          received.append((char) c);
        }
      } catch (java.net.SocketException reset) {
        // closed too
      }
      return new Cut(received.toString(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
    }
  }

  @Test
  void aResponseBodyThatStallsIsCutAtTheRouteTimeoutAndItsConnectionDiscarded() throws Exception {
    Cut cut = getUntilClosed("/gap/half");
    assertThat(cut.received()).startsWith("HTTP/1.1 200").contains("part of the body").doesNotContain("\r\n0\r\n");
    assertThat(cut.closedAfterSentMillis()).as("closed after the route's 300 ms without a byte").isBetween(300L, 3000L);
    assertThat(GatewayTestEnvironment.upstream.halfClosed("/gap/half", 2000)).as("the upstream connection was closed, not pooled")
        .isTrue();
    RawHttp.Response next = send("GET", "/gap/x");
    assertThat(next.status()).isEqualTo(200);
    assertThat(next.body()).isEqualTo("upstream /gap/x");
  }

  @Test
  void aClientReadingSlowlyIsNotCutByTheRouteTimeout() throws Exception {
    try (java.net.Socket client = new java.net.Socket()) {
      client.setReceiveBufferSize(8192);
      client.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.getPort()));
      client.setSoTimeout(5000);
      client.getOutputStream().write("GET /gap/huge HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes());
      java.io.InputStream in = new java.io.BufferedInputStream(client.getInputStream());
      String head = "";
      while (!head.endsWith("\r\n\r\n")) {
        head += (char) in.read();
      }
      assertThat(head).startsWith("HTTP/1.1 200");
      long bytes = 0;
      boolean slept = false;
      for (int size = chunkSize(in); size > 0; size = chunkSize(in)) {
        bytes += in.readNBytes(size + 2).length - 2;
        if (!slept && bytes > 64 * 1024) {
          // the proxy holds the upstream's body back for three route timeouts: the client's gap, not the upstream's
          Thread.sleep(1000);
          slept = true;
        }
      }
      assertThat(bytes).isEqualTo((long) LoopbackUpstream.HUGE_CHUNKS * LoopbackUpstream.CHUNK);
    }
  }

  private static int chunkSize(java.io.InputStream in) throws java.io.IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c == -1) {
        throw new java.io.EOFException("connection closed mid-body");
      }
      line.append((char) c);
    }
    return Integer.parseInt(line.toString().trim(), 16);
  }

  /**
   * An HTTP/1.0 client's streamed response is read whole before anything is sent (HTTP/1.0 has no
   * chunks): a body that stalls past the route's timeout is the gateway's 504, and the connection ends.
   */
  @Test
  void aStreamThatStallsBeforeAnHttp10ClientHasItAllIsA504() throws Exception {
    try (java.net.Socket client = new java.net.Socket("127.0.0.1", gateway.getPort())) {
      client.setSoTimeout(5000);
      client.getOutputStream().write("GET /stall/half HTTP/1.0\r\nHost: gw\r\n\r\n".getBytes());
      RawHttp.Response answer = RawHttp.read(client.getInputStream());
      assertThat(answer.status()).isEqualTo(504);
      assertThat(answer.body()).contains("did not answer in time");
      assertThat(client.getInputStream().read()).isEqualTo(-1);
    }
  }

  /**
   * An HTTP/1.0 client's stream past the response buffer is refused (505) and the rest dropped; when
   * that rest then stalls and is reset, the buffer it held is not given back a second time (the
   * buffers' count went negative, and their total bounded nothing after).
   */
  @Test
  void aRefusedHttp10StreamThatThenStallsGivesItsBufferBackOnce() throws Exception {
    RawHttp.Response refused = send10("/stall/overhalf");
    assertThat(refused.status()).isEqualTo(505);
    Thread.sleep(1000); // the route's timeout (300 ms) resets the stalled upstream request
    assertThat(proxy.bufferedResponseBytes()).isZero();
  }

  private RawHttp.Response send10(String path) throws Exception {
    return RawHttp.send(gateway.getPort(), "GET " + path + " HTTP/1.0\r\nHost: gw\r\n\r\n");
  }

  /**
   * Read off the breaker's WARN, not a 503 at once: that needs the next request within the open time
   * (1 s in tests), which a loaded machine missed between a stalled body's close and the next request
   * (a 503 while open is checked by {@link #openBreakerOf}).
   */
  @Test
  void stalledResponseBodiesCountForTheBreaker() throws Exception {
    try (LogCapture capture = LogCapture.start()) {
      for (int i = 0; i < 5; i++) {
        assertThat(getUntilClosed("/gaps/half").received()).as("stalled body %d", i).startsWith("HTTP/1.1 200");
        if (i == 3) {
          assertThat(breakerOpened(capture, "int-gaps")).as("open after four stalled bodies").isFalse();
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!breakerOpened(capture, "int-gaps") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(breakerOpened(capture, "int-gaps")).as("open after the fifth stalled body").isTrue();
    }
  }

  private static boolean breakerOpened(LogCapture capture, String integration) {
    return capture.records().stream().map(UpstreamFailureTest::formatted).anyMatch(m -> m != null
        && m.contains("integration " + integration + " at ") && m.contains("its circuit is open"));
  }

  /** Five 504s from {@code /<route>/slow} (the upstream answers after 1.5 s, the route waits 300 ms) open the route's breaker. */
  private void openBreakerOf(String route) throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(send("GET", "/" + route + "/slow").status()).as("timeout %d", i).isEqualTo(504);
    }
    assertThat(send("GET", "/" + route + "/x").status()).isEqualTo(503);
  }

  @Test
  void aSlowIntegrationDoesNotOpenTheBreakerOfTheOthersOnTheSameRuntime() throws Exception {
    openBreakerOf("neighbour");
    // read at once: the breaker is open for 1 s here, and a slow machine's requests below may outlast it
    assertThat(PrometheusText.scrape(metrics).value("outpost_gateway_circuit_breaker_open", "integration", "int-neighbour"))
        .isEqualTo(1);
    assertThat(send("GET", "/pub/x").status()).isEqualTo(200);
    assertThat(send("GET", "/stall/x").status()).isEqualTo(200);
    PrometheusText scrape = PrometheusText.scrape(metrics);
    assertThat(scrape.has("outpost_gateway_circuit_breaker_open", "integration", "int-stall")).isTrue();
    assertThat(scrape.value("outpost_gateway_circuit_breaker_open", "integration", "int-stall")).isZero();
  }
  @Test
  void aTrialWhoseClientLeavesDoesNotKeepTheBreakerOpen() throws Exception {
    openBreakerOf("trial");
    Thread.sleep(1100);
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.getPort())) {
      // the trial request: its client leaves before the upstream answers
      socket.getOutputStream().write("GET /trial/slow HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes());
      socket.getOutputStream().flush();
      Thread.sleep(300);
    }
    assertThat(send("GET", "/trial/x").status()).as("open during the trial's lease").isEqualTo(503);
    Thread.sleep(1100);
    assertThat(send("GET", "/trial/x").status()).isEqualTo(200);
    assertThat(statusAfterTheTrial("/trial/x")).as("closed after the trial").isEqualTo(200);
  }

  /**
   * The status of a request after a trial was answered. The trial counts once the gateway has seen
   * its response written, which may be just after the client read it and asked again on another
   * event loop: a few ms, far less than the 1 s open, so a 503 is retried for 500 ms: no longer, or
   * the breaker's next trial, 1 s on, would answer 200 though this one had never closed it.
   */
  private int statusAfterTheTrial(String path) throws Exception {
    int status = send("GET", path).status();
    for (long end = System.nanoTime() + 500_000_000L; status == 503 && System.nanoTime() < end; ) {
      Thread.sleep(10);
      status = send("GET", path).status();
    }
    return status;
  }

  @Test
  void anUpstreamAnsweringHeadWithABodyDoesNotSpoilTheNextRequest() throws Exception {
    try (RawUpstream upstream = new RawUpstream(GatewayTestEnvironment.deadPorts.get("head"), head -> head.startsWith("HEAD ")
            ? "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        java.net.Socket client = new java.net.Socket("127.0.0.1", gateway.getPort())) {
      // one client connection, so both requests are proxied on one event loop and so one upstream pool
      client.setSoTimeout(5000);
      client.getOutputStream().write("HEAD /head/x HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes());
      RawHttp.Response head = RawHttp.readHeadAnswer(client.getInputStream());
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("Content-Length")).isEqualTo("5");
      client.getOutputStream().write("GET /head/x HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes());
      RawHttp.Response get = RawHttp.read(client.getInputStream());
      assertThat(get.status()).as("the GET after the HEAD").isEqualTo(200);
      assertThat(get.body()).isEqualTo("ok");
      assertThat(upstream.connections()).as("the HEAD's connection was not reused").isEqualTo(2);
    }
  }

  @Test
  void anIdempotentRequestOnAConnectionTheUpstreamClosedIsSentAgainOnAnother() throws Exception {
    String ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    // each connection answers its first request and closes at the next one unanswered, as an upstream
    // does that closes an idle keep-alive connection just as the gateway reuses it; /raw/never is never answered
    try (RawUpstream upstream = new RawUpstream(GatewayTestEnvironment.deadPorts.get("raw"),
            (n, head) -> n == 1 && !head.contains("/never") ? ok : null);
        java.net.Socket client = new java.net.Socket("127.0.0.1", gateway.getPort())) {
      // one client connection, so every request is proxied on one event loop and so one upstream pool
      client.setSoTimeout(5000);
      assertThat(exchange(client, "GET /raw/first HTTP/1.1\r\nHost: gw\r\n\r\n").status()).isEqualTo(200);
      RawHttp.Response again = exchange(client, "GET /raw/second HTTP/1.1\r\nHost: gw\r\n\r\n");
      assertThat(again.status()).as("a GET on the pooled connection the upstream closed").isEqualTo(200);
      assertThat(again.body()).isEqualTo("ok");
      assertThat(upstream.connections()).as("sent again on a new connection").isEqualTo(2);

      RawHttp.Response post = exchange(client, "POST /raw/post HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\n\r\nhi");
      assertThat(post.status()).as("a POST on a pooled connection the upstream closed").isEqualTo(502);
      assertThat(upstream.heads()).filteredOn(h -> h.startsWith("POST /post")).as("a POST is never sent twice").hasSize(1);

      RawHttp.Response never = exchange(client, "GET /raw/never HTTP/1.1\r\nHost: gw\r\n\r\n");
      assertThat(never.status()).as("a new connection closed unanswered is the upstream's failure").isEqualTo(502);
      assertThat(upstream.heads()).filteredOn(h -> h.startsWith("GET /never")).hasSize(1);
      // and a success, so that this integration's breaker starts the next test with no failure counted
      assertThat(exchange(client, "GET /raw/last HTTP/1.1\r\nHost: gw\r\n\r\n").status()).isEqualTo(200);
    }
  }

  /** An upstream that accepts connections and closes each unanswered (a crash loop) opens its breaker like one refusing them. */
  @Test
  void anUpstreamClosingEveryNewConnectionUnansweredOpensItsBreaker() throws Exception {
    try (RawUpstream upstream = new RawUpstream(GatewayTestEnvironment.deadPorts.get("crash"), (n, head) -> null)) {
      for (int i = 0; i < 5; i++) {
        RawHttp.Response response = send("GET", "/crash/x");
        assertThat(response.status()).as("closed unanswered %d", i).isEqualTo(502);
        assertThat(response.body()).contains("closed the connection without answering");
      }
      assertThat(send("GET", "/crash/x").status()).as("the breaker opened").isEqualTo(503);
      assertThat(upstream.connections()).as("not asked while open").isEqualTo(5);
    }
  }

  /**
   * Plays the upstream for one connection: reads a request head, writes {@code answer}, then reads
   * (and drops) whatever else comes; true when the gateway closes the connection within 3 s.
   */
  private static CompletableFuture<Boolean> answerOnceThenAwaitClose(java.net.ServerSocket server, String answer) {
    return CompletableFuture.supplyAsync(() -> {
      try (java.net.Socket socket = server.accept()) {
        socket.setSoTimeout(3000);
        java.io.InputStream in = socket.getInputStream();
        String head = "";
        while (!head.endsWith("\r\n\r\n")) {
          head += (char) in.read();
        }
        socket.getOutputStream().write(answer.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        while (in.read() != -1) {
          // a body that came up after the head
        }
        return true;
      } catch (Exception e) {
        return false;
      }
    });
  }

  private static RawHttp.Response exchange(java.net.Socket client, String request) throws Exception {
    client.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    client.getOutputStream().flush();
    return RawHttp.read(client.getInputStream());
  }

  @Test
  void aMalformedUpstreamResponseIs502InvalidResponseAndTheNextRequestIsServed() throws Exception {
    // each was answered "could not be reached" (the transfer coding 501 "Not Implemented", as if
    // the client had asked the impossible), so the integration's owner looked for a network fault
    Map<String, String> malformed = new LinkedHashMap<>();
    malformed.put("two-lengths", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd");
    malformed.put("length-not-a-number", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nok");
    malformed.put("negative-length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok");
    malformed.put("control-character", "HTTP/1.1 200 OK\r\nX-Ctl: a\u0001b\r\nContent-Length: 2\r\n\r\nok");
    malformed.put("bare-line-feeds", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok");
    // past any head a client's echoed headers could make (UpstreamClients.responseHeadLimit): the integration's own doing
    malformed.put("head-too-large", "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(200 * 1024) + "\r\nContent-Length: 2\r\n\r\nok");
    malformed.put("gzip-coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    // Vert.x logged each at ERROR without naming the integration; the gateway says which one, at WARN
    List<LogRecord> logged;
    try (LogCapture capture = LogCapture.start();
        RawUpstream upstream = new RawUpstream(GatewayTestEnvironment.deadPorts.get("raw"), head -> {
      String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
      return malformed.getOrDefault(path.substring(path.lastIndexOf('/') + 1), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    })) {
      logged = capture.records();
      // a success first: earlier tests' failures of this integration (5 in a row open its breaker) count no more
      assertThat(send("GET", "/raw/fine").status()).isEqualTo(200);
      for (String name : malformed.keySet()) {
        RawHttp.Response response = send("GET", "/raw/" + name);
        assertThat(response.status()).as(name).isEqualTo(502);
        assertThat(response.body()).as(name).contains("sent an invalid response").doesNotContain("Exception");
        // between two, so that the breaker (5 in a row) stays closed and the connection is shown sound
        RawHttp.Response next = send("GET", "/raw/fine");
        assertThat(next.status()).as("the request after " + name).isEqualTo(200);
        assertThat(next.body()).isEqualTo("ok");
      }
    }
    assertThat(logged).noneMatch(r -> r.getLevel().intValue() >= Level.SEVERE.intValue()
        && r.getLoggerName().startsWith("io.vertx"));
    assertThat(logged).filteredOn(r -> r.getLevel().intValue() == Level.WARNING.intValue() && r.getLoggerName().endsWith("UpstreamExchange"))
        .hasSizeGreaterThanOrEqualTo(6)
        .allMatch(r -> formatted(r).contains("integration int-raw sent a response that does not parse"));
  }

  /**
   * Answers HTTP allows are passed on: a transfer coding named in another case (RFC 9112 7: codings
   * are case-insensitive) and caching headers vertx-http-proxy's own cache parser threw on (a
   * max-age past an int, a quoted one, Expires: 0 beside Cache-Control: public). Each was a 502
   * "sent an invalid response" or "could not be reached", and the Chunked one counted by the breaker.
   */
  @Test
  void answersHttpAllowsThatTheProxyMisreadArePassedOn() throws Exception {
    Map<String, String> answers = new LinkedHashMap<>();
    answers.put("chunked-capitalised", "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
    answers.put("expires-zero", "HTTP/1.1 200 OK\r\nCache-Control: public\r\nDate: Mon, 01 Jan 2001 00:00:00 GMT\r\n"
        + "Expires: 0\r\nContent-Length: 2\r\n\r\nok");
    answers.put("max-age-past-an-int", "HTTP/1.1 200 OK\r\nCache-Control: public, max-age=2147483648\r\n"
        + "Content-Length: 2\r\n\r\nok");
    answers.put("quoted-max-age", "HTTP/1.1 200 OK\r\nCache-Control: max-age=\"60\"\r\nContent-Length: 2\r\n\r\nok");
    try (RawUpstream upstream = new RawUpstream(GatewayTestEnvironment.deadPorts.get("raw"), head -> {
      String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
      return answers.getOrDefault(path.substring(path.lastIndexOf('/') + 1), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    })) {
      // more than the breaker's 5 in a row, had any counted
      for (int round = 0; round < 2; round++) {
        for (String name : answers.keySet()) {
          RawHttp.Response response = send("GET", "/raw/" + name);
          assertThat(response.status()).as(name).isEqualTo(200);
          assertThat(response.body()).as(name).isEqualTo("ok");
        }
      }
      RawHttp.Response expires = send("GET", "/raw/expires-zero");
      assertThat(expires.header("Cache-Control")).isEqualTo("public");
      assertThat(expires.header("Expires")).isEqualTo("0");
      assertThat(send("GET", "/raw/max-age-past-an-int").header("Cache-Control")).isEqualTo("public, max-age=2147483648");
    }
  }

  private static String formatted(LogRecord record) {
    return record.getParameters() == null ? record.getMessage()
        : String.format(record.getMessage(), record.getParameters());
  }

  /**
   * A GET on a pooled connection that the integration closes before answering is sent again on a new
   * connection ({@link StaleConnectionRetry}); when that attempt failed too, the gateway's answer
   * threw (the retry had left the request without a body, which building the answer released) and
   * the client got nothing at all until it gave up. An integration that sends an interim answer (103
   * Early Hints, 100 Continue) and closes, or one gone when the GET is sent again, gets the 502 of any
   * other connection closed before the answer, at once.
   */
  @Test
  void aRequestSentAgainThatFailsAgainIsAnsweredAtOnce() throws Exception {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n", "closed the connection without answering");
    cases.put("HTTP/1.1 100 Continue\r\n\r\n", "closed the connection without answering");
    cases.put("", "could not be reached"); // closed unanswered, and no longer listening when the GET is sent again
    for (Map.Entry<String, String> c : cases.entrySet()) {
      String interim = c.getKey();
      java.net.ServerSocket server = new java.net.ServerSocket(GatewayTestEnvironment.deadPorts.get("interim"), 50,
          java.net.InetAddress.getLoopbackAddress());
      CompletableFuture<Void> integration = CompletableFuture.runAsync(() -> closeAfterInterim(server, interim, interim.isEmpty()));
      try (server; java.net.Socket client = new java.net.Socket("127.0.0.1", gateway.getPort())) {
        client.setSoTimeout(5000);
        // one client connection, so both requests are proxied on one event loop and so one upstream pool
        assertThat(exchange(client, "GET /interim/first HTTP/1.1\r\nHost: gw\r\n\r\n").status()).isEqualTo(200);
        long start = System.nanoTime();
        RawHttp.Response response = exchange(client, "GET /interim/again HTTP/1.1\r\nHost: gw\r\n\r\n");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String name = interim.isEmpty() ? "gone" : interim.substring(9, 12);
        assertThat(response.status()).as(name).isEqualTo(502);
        assertThat(response.body()).as(name).contains("integration int-interim " + c.getValue());
        assertThat(millis).as("well before the route's 2 s timeout: " + name).isLessThan(1500L);
      }
      // the port listens until the thread blocked in accept has seen the close
      integration.get(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Plays the integration: its first connection answers its first request and, at the next, writes
   * {@code interim} and closes (and with {@code thenGone} stops listening); every later connection
   * writes {@code interim} at its first request and closes.
   */
  private static void closeAfterInterim(java.net.ServerSocket server, String interim, boolean thenGone) {
    try {
      for (int connection = 1; !server.isClosed(); connection++) {
        try (java.net.Socket socket = server.accept()) {
          socket.setSoTimeout(5000);
          java.io.InputStream in = socket.getInputStream();
          readHead(in);
          if (connection == 1) {
            socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes());
            readHead(in);
          }
          socket.getOutputStream().write(interim.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
          socket.getOutputStream().flush();
          if (thenGone) {
            server.close();
          }
        }
      }
    } catch (java.io.IOException e) {
      // the test closed the server
    }
  }

  private static void readHead(java.io.InputStream in) throws java.io.IOException {
    String head = "";
    while (!head.endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new java.io.EOFException("closed before a request head");
      }
      head += (char) c;
    }
  }

  /**
   * Camel's platform-http answers with the request's headers: a client's header that fits the
   * gateway's request head limit (16 KiB) made a response head past the upstream client's own limit
   * (Vert.x's 8 KiB then), a 502 counted by the breaker, and five such requests opened the breaker
   * for every client of the integration. The upstream client reads heads up to four times the
   * server's limit, so the echo passes; a head past that is the integration's own doing, still a 502.
   */
  @Test
  void aClientsLargeHeaderEchoedByTheIntegrationIsAnsweredAndNeverOpensTheBreaker() throws Exception {
    String large = "x".repeat(15 * 1024);
    try (RawUpstream upstream = new RawUpstream(GatewayTestEnvironment.deadPorts.get("mirror"), head -> head.contains("/huge-head")
        ? "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(200 * 1024) + "\r\nContent-Length: 2\r\n\r\nok"
        : echoingHeaders(head))) {
      for (int i = 0; i < 7; i++) {
        RawHttp.Response response = RawHttp.send(gateway.getPort(),
            "GET /mirror/x HTTP/1.1\r\nHost: gw\r\nX-Large: " + large + "\r\n\r\n");
        assertThat(response.status()).as("echoed 15 KiB header %d: %s", i, response.body()).isEqualTo(200);
        assertThat(response.header("X-Large")).isEqualTo(large);
      }
      RawHttp.Response huge = send("GET", "/mirror/huge-head");
      assertThat(huge.status()).as("a 200 KiB head of the integration's own").isEqualTo(502);
      assertThat(huge.body()).contains("integration int-mirror sent an invalid response");
      assertThat(send("GET", "/mirror/after").status()).as("the breaker stayed closed").isEqualTo(200);
    }
  }

  /** A response carrying every header of the request {@code head} but its framing ones, as Camel's platform-http answers. */
  private static String echoingHeaders(String head) {
    StringBuilder answer = new StringBuilder("HTTP/1.1 200 OK\r\n");
    for (String line : head.split("\r\n")) {
      String name = line.contains(":") ? line.substring(0, line.indexOf(':')).toLowerCase(java.util.Locale.ROOT) : "";
      if (!name.isEmpty() && !List.of("host", "content-length", "transfer-encoding", "connection").contains(name)) {
        answer.append(line).append("\r\n");
      }
    }
    return answer.append("Content-Length: 2\r\n\r\nok").toString();
  }

  @Test
  void anUpstreamStatusThatIsNotAFinalOneIs502AndItsConnectionIsClosed() throws Exception {
    int port = GatewayTestEnvironment.deadPorts.get("raw");
    for (String status : List.of("102 Processing", "101 Switching Protocols", "600 Beyond")) {
      try (java.net.ServerSocket server = new java.net.ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress())) {
        CompletableFuture<Boolean> closedByGateway = answerOnceThenAwaitClose(server,
            "HTTP/1.1 " + status + "\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        RawHttp.Response response = send("GET", "/raw/x");
        assertThat(response.status()).as(status).isEqualTo(502);
        assertThat(response.body()).contains("invalid response");
        assertThat(closedByGateway.get(5, TimeUnit.SECONDS)).as("upstream connection closed after " + status).isTrue();
      }
    }
  }
}
