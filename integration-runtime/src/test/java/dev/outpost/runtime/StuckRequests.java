package dev.outpost.runtime;

import static dev.outpost.runtime.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/**
 * Requests that stick in an integration: its route first tells a backend that the exchange began,
 * then holds it for 60 s. A test waits for that call instead of sleeping, so the request is known
 * to run in the version the test means, however loaded the machine.
 */
public final class StuckRequests implements AutoCloseable {

  private final Backend began = Backend.json("{}");

  /** Route steps for integration {@code name}: report the exchange, hold it 60 s, then {@code then}. */
  public String steps(String name, String then) {
    return "- to: " + began.url() + "/began/" + name + "\n- delay:\n    constant: 60000\n" + then;
  }

  /** Sends a request to {@code uri}, served by {@link #steps}, and returns once its exchange runs. */
  public CompletableFuture<HttpResponse<String>> send(String name, URI uri) throws Exception {
    long before = began(name);
    var response = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(uri).build(),
        HttpResponse.BodyHandlers.ofString());
    eventually(() -> assertThat(began(name)).as("exchanges of %s begun", name).isGreaterThan(before));
    return response;
  }

  private long began(String name) {
    return began.received().stream().filter(r -> r.path().equals("/began/" + name)).count();
  }

  @Override
  public void close() {
    began.close();
  }
}
