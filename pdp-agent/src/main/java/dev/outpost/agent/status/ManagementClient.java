package dev.outpost.agent.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * GETs a JSON document from a component's management port; empty when it cannot. The whole
 * exchange, body included, is bounded in time ({@link #TIMEOUT}) and size ({@link #MAX_BODY_BYTES}):
 * status is observed on the thread that applies snapshots, so a component that stalls in the middle
 * of its answer, or never ends it, must not stop the agent from applying.
 */
final class ManagementClient {
  private static final Logger LOG = Logger.getLogger(ManagementClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The longest a request may take, from connecting to the last byte of the body. */
  static final Duration TIMEOUT = Duration.ofSeconds(3);
  /** The largest answer read: far above the status of thousands of integrations. */
  static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  Optional<JsonNode> get(URI uri) {
    // The request's own timeout ends when the headers arrive; the body needs a deadline of its own.
    CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(
        HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
        info -> new LimitedBody(MAX_BODY_BYTES));
    try {
      HttpResponse<byte[]> response = exchange.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (response.statusCode() != 200) {
        LOG.debugf("%s answered %d", uri, response.statusCode());
        return Optional.empty();
      }
      return Optional.of(JSON.readTree(response.body()));
    } catch (TimeoutException e) {
      exchange.cancel(true); // closes the connection
      LOG.debugf("%s did not answer within %d ms", uri, TIMEOUT.toMillis());
      return Optional.empty();
    } catch (ExecutionException | IOException e) {
      LOG.debugf("%s unreachable: %s", uri, e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
      return Optional.empty();
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
