package dev.outpost.agent.audit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Sends audit records to observability-api over OTLP/HTTP JSON ({@code POST <endpoint>/v1/logs})
 * with the data plane's bearer token. One daemon thread delivers them in order, in batches, and
 * retries a batch with capped exponential backoff until the store answers 2xx; a 4xx other than
 * 408/429 means the store will never take it, so it is dropped with an error log.
 */
public final class OtlpAuditLog implements AuditLog, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(OtlpAuditLog.class);
  private static final int MAX_BATCH = 100;
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final URI logsUri;
  private final String token;
  private final String instanceId;
  private final int capacity;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final BlockingDeque<AuditEvent> queue = new LinkedBlockingDeque<>();
  private final Thread sender;
  private volatile boolean running = true;
  /** Failed sends in a row: past a few, said at WARN (each was DEBUG, and the trail stopped unseen). */
  private int failedInARow;

  /**
   * @param endpoint the OTLP/HTTP base URL, e.g. {@code http://127.0.0.1:4318}
   * @param token the data plane's bearer token
   * @param instanceId this agent's id, sent as {@code service.instance.id}
   * @param capacity how many undelivered records are kept at most
   */
  public OtlpAuditLog(URI endpoint, String token, String instanceId, int capacity) {
    String base = endpoint.toString().replaceAll("/+$", "");
    this.logsUri = URI.create(base + "/v1/logs");
    this.token = token;
    this.instanceId = instanceId;
    this.capacity = capacity;
    this.sender = new Thread(this::deliverLoop, "outpost-audit-sender");
    sender.setDaemon(true);
    sender.start();
  }

  @Override
  public void record(AuditEvent event) {
    while (queue.size() >= capacity) {
      AuditEvent dropped = queue.pollFirst();
      if (dropped != null) {
        LOG.warnf("audit queue full (%d): dropped the record of revision %d", capacity, dropped.revision());
      }
    }
    queue.offerLast(event);
  }

  /** How many records wait for delivery. */
  public int pending() {
    return queue.size();
  }

  private void deliverLoop() {
    long backoffMillis = 500;
    while (running) {
      List<AuditEvent> batch = new ArrayList<>();
      try {
        AuditEvent first = queue.pollFirst(1, TimeUnit.SECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        while (running && !send(batch)) {
          Thread.sleep(backoffMillis);
          backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
        }
        backoffMillis = 500;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** @return true when the batch is done with (delivered, or refused for good) */
  private boolean send(List<AuditEvent> batch) throws InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(logsUri)
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(OtlpLogRecords.toJson(batch, instanceId)));
    if (token != null && !token.isEmpty()) {
      request.header("Authorization", "Bearer " + token);
    }
    String why;
    try {
      int status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status / 100 == 2) {
        delivered();
        return true;
      }
      if (status / 100 == 4 && status != 408 && status != 429) {
        LOG.errorf("observability-api refused %d audit record(s) with HTTP %d; dropped", batch.size(), status);
        delivered();
        return true;
      }
      why = "it answered " + status;
    } catch (java.io.IOException e) {
      // the class too: a refused connection's ConnectException has no message of its own
      why = "it is unreachable: " + e;
    }
    failedInARow++;
    if (failedInARow == 3 || (failedInARow > 3 && failedInARow % 20 == 0)) {
      LOG.warnf("audit records cannot be delivered to %s (%d attempts in a row, %s): %d wait, at most %d are kept",
          logsUri, failedInARow, why, queue.size() + batch.size(), capacity);
    } else {
      LOG.debugf("audit delivery to %s failed (%s); retried", logsUri, why);
    }
    return false;
  }

  private void delivered() {
    if (failedInARow >= 3) {
      LOG.infof("audit records are delivered to %s again", logsUri);
    }
    failedInARow = 0;
  }

  @Override
  public void close() {
    running = false;
    sender.interrupt();
  }
}
