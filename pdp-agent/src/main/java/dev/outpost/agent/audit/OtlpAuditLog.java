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
 * 408/429 means the store will never take it, so it is dropped with an error log. Closing tries
 * once more to deliver what waits (for {@link #FINAL_SEND_TIMEOUT} in all): the agent stops in every
 * upgrade, often beside observability-api, and what was queued while that was away was lost.
 */
public final class OtlpAuditLog implements AuditLog, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(OtlpAuditLog.class);
  private static final int MAX_BATCH = 100;
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  /** How long the last delivery at close may take in all: well inside a pod's 30 s grace. */
  static final Duration FINAL_SEND_TIMEOUT = Duration.ofSeconds(10);

  private final URI logsUri;
  private final String token;
  private final String instanceId;
  private final int capacity;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final BlockingDeque<AuditEvent> queue = new LinkedBlockingDeque<>();
  private final Thread sender;
  private volatile boolean running = true;
  private volatile boolean closed;
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
  public synchronized void record(AuditEvent event) {
    if (closed) {
      // an apply that ended after the stop began: said, as the last delivery has been made
      LOG.warnf("audit record of revision %d made after the agent began to stop: not sent", event.revision());
      return;
    }
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
        while (running && !send(batch, Duration.ofSeconds(10))) {
          Thread.sleep(backoffMillis);
          backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
        }
        backoffMillis = 500;
      } catch (InterruptedException e) {
        // stopping: what was in hand goes back, ahead of what came since, for close's last attempt
        for (int i = batch.size() - 1; i >= 0; i--) {
          queue.offerFirst(batch.get(i));
        }
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** @return true when the batch is done with (delivered, or refused for good) */
  private boolean send(List<AuditEvent> batch, Duration timeout) throws InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(logsUri)
        .timeout(timeout)
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
    long deadline = System.nanoTime() + FINAL_SEND_TIMEOUT.toNanos();
    try {
      sender.join(FINAL_SEND_TIMEOUT.toMillis() / 2);
      List<AuditEvent> waiting = new ArrayList<>();
      synchronized (this) {
        closed = true; // what is recorded from now on is said not to be sent
        queue.drainTo(waiting);
      }
      for (int from = 0; from < waiting.size(); from += MAX_BATCH) {
        Duration left = Duration.ofNanos(deadline - System.nanoTime());
        if (left.toMillis() < 100
            || !send(waiting.subList(from, Math.min(waiting.size(), from + MAX_BATCH)), left)) {
          LOG.warnf("%d audit record(s) not delivered to %s before the agent stopped: lost", waiting.size() - from,
              logsUri);
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
