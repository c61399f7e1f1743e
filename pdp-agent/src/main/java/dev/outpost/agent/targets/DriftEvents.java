package dev.outpost.agent.targets;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Tells the cluster's operators, as a Kubernetes Event on the object ({@code kubectl describe},
 * {@code kubectl get events}), that the agent put back a change someone made to what it wrote, the
 * way Flux and Argo CD report their corrections. The event names the field, never its value.
 *
 * <p>Someone (or a controller) that keeps changing an object would have it corrected within a second,
 * each time: at most one event per object per {@link #INTERVAL}, which counts the corrections since
 * the last. Recording is best effort: a failure (a Role without {@code create events}) is logged once
 * and never fails the write.
 */
public final class DriftEvents {
  private static final Logger LOG = Logger.getLogger(DriftEvents.class);
  /** The event's reason, as {@code kubectl get events --field-selector reason=DriftCorrected} selects it. */
  public static final String REASON = "DriftCorrected";
  /** What the events name as their source. */
  public static final String COMPONENT = KubernetesNames.AGENT;
  /** At most one event per object in this time. */
  public static final Duration INTERVAL = Duration.ofMinutes(1);
  /** Objects whose last event is remembered; the oldest is forgotten past it. */
  private static final int REMEMBERED = 4096;

  private final KubernetesClient client;
  /** The events' times. */
  private final Clock clock;
  /** The throttle's: a wall clock stepped back by NTP held every event back by the step. */
  private final LongSupplier nanoTime;
  private final Map<String, Throttle> throttles = new RecentlyUsed<>(REMEMBERED);
  private boolean failureLogged;

  private static final class Throttle {
    boolean recorded;
    long lastNanos;
    int suppressed;
  }

  public DriftEvents(KubernetesClient client) {
    this(client, Clock.systemUTC(), System::nanoTime);
  }

  DriftEvents(KubernetesClient client, Clock clock, LongSupplier nanoTime) {
    this.client = client;
    this.clock = clock;
    this.nanoTime = nanoTime;
  }

  /** Records that {@code field} of {@code live} was changed by someone and put back. */
  public synchronized void corrected(HasMetadata live, String field) {
    String key = live.getKind() + "/" + live.getMetadata().getNamespace() + "/" + live.getMetadata().getName();
    long nanos = nanoTime.getAsLong();
    Throttle throttle = throttles.computeIfAbsent(key, k -> new Throttle());
    if (throttle.recorded && nanos - throttle.lastNanos < INTERVAL.toNanos()) {
      throttle.suppressed++;
      return;
    }
    Instant now = clock.instant();
    int count = throttle.suppressed + 1;
    throttle.recorded = true;
    throttle.lastNanos = nanos;
    throttle.suppressed = 0;
    String message = "put back " + field + ", changed outside the agent"
        + (count > 1 ? " (" + count + " corrections of this object since the last event)" : "");
    try {
      client.v1().events().inNamespace(live.getMetadata().getNamespace()).resource(new EventBuilder()
          .withNewMetadata()
          .withName(live.getMetadata().getName() + "." + Long.toHexString(now.getEpochSecond() * 1_000_000_000L + now.getNano()))
          .withNamespace(live.getMetadata().getNamespace())
          .endMetadata()
          .withNewInvolvedObject()
          .withApiVersion(live.getApiVersion())
          .withKind(live.getKind())
          .withName(live.getMetadata().getName())
          .withNamespace(live.getMetadata().getNamespace())
          .withUid(live.getMetadata().getUid())
          .endInvolvedObject()
          .withType("Warning")
          .withReason(REASON)
          .withMessage(message)
          .withNewSource().withComponent(COMPONENT).endSource()
          .withFirstTimestamp(now.toString())
          .withLastTimestamp(now.toString())
          .withCount(1)
          .build()).create();
    } catch (KubernetesClientException e) {
      if (!failureLogged) {
        failureLogged = true;
        LOG.warnf("cannot record a Kubernetes Event of a drift correction (%d %s); corrections are in this log only",
            e.getCode(), e.getStatus() == null ? "" : e.getStatus().getReason());
      }
    }
  }
}
