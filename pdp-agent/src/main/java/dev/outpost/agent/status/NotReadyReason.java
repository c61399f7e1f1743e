package dev.outpost.agent.status;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Why an integration's pods do not serve, in Kubernetes' own words, as {@code kubectl describe}
 * would show it: the status message a control plane shows beside a phase that is not {@code Ready}
 * (an image that cannot be pulled, a Secret the pod cannot mount, a container that keeps crashing,
 * no node with room, a quota refusing the pods).
 *
 * <p>Only text Kubernetes writes about its objects is used: reasons, and the messages of the
 * scheduler, the kubelet's image and volume steps and the controllers, which name objects, images
 * and quantities. Never a container's termination message or a probe's output, which the
 * integration writes and could hold data from a payload. The text stays the same while the cause
 * does (a crash loop is told by how the container last ended, not by the kubelet's growing
 * back-off), so a status is not sent again for every poll; an image that cannot be pulled is the
 * exception, as the kubelet's reason alternates between ErrImagePull (with the registry's answer)
 * and ImagePullBackOff, and each is worth telling.
 */
final class NotReadyReason {
  /** Long enough for a scheduler's or a quota's message, short enough for a status line. */
  static final int MAX_CHARS = 300;

  /** Waiting reasons that say no more than "not yet"; the cause, if any, is in the pod's events. */
  private static final List<String> STARTING = List.of("ContainerCreating", "PodInitializing");

  /**
   * How long a started container may be not ready before that is told: the readiness probe's three
   * failures five seconds apart, and the time an integration's routes take to start.
   */
  static final Duration READINESS_GRACE = Duration.ofSeconds(60);

  static final String NOT_READY = "Running, not ready: the integration does not pass its readiness check"
      + " (a route that could not start; the pod's log says why)";

  /** Warnings the kubelet gives a pod while it cannot start its containers' volumes. */
  static final List<String> VOLUME_EVENTS = List.of("FailedMount", "FailedAttachVolume");

  private NotReadyReason() {}

  /**
   * @param deployment the integration's Deployment
   * @param pods its pods, in any order
   * @param volumeWarning the newest volume warning ({@link #VOLUME_EVENTS}) of a pod, by pod name
   * @return the reason, or empty when nothing Kubernetes reports explains it (for example a
   *     container still starting)
   */
  static Optional<String> of(Deployment deployment, List<Pod> pods, Function<String, Optional<Event>> volumeWarning) {
    return of(deployment, pods, volumeWarning, Instant.now());
  }

  /** As above, at {@code now}: a container running but not ready is told once it has been for a while. */
  static Optional<String> of(Deployment deployment, List<Pod> pods, Function<String, Optional<Event>> volumeWarning,
      Instant now) {
    // newest pod first: during a rollout that is the new version's, whose trouble is the news; a pod
    // being deleted is no longer ready as it stops (an old one mid-rollout), which is no trouble
    List<Pod> notReady = pods.stream()
        .filter(p -> !ready(p) && p.getMetadata().getDeletionTimestamp() == null)
        .sorted(Comparator.comparing((Pod p) -> String.valueOf(p.getMetadata().getCreationTimestamp())).reversed()
            .thenComparing(p -> p.getMetadata().getName()))
        .toList();
    for (Pod pod : notReady) {
      Optional<String> reason = ofPod(pod, volumeWarning, now);
      if (reason.isPresent()) {
        return reason.map(NotReadyReason::clean);
      }
    }
    return deploymentCondition(deployment).map(NotReadyReason::clean);
  }

  private static Optional<String> ofPod(Pod pod, Function<String, Optional<Event>> volumeWarning, Instant now) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    Optional<PodCondition> unscheduled = conditions(pod).stream()
        .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
        .findFirst();
    if (unscheduled.isPresent()) {
      return Optional.of(withMessage(or(unscheduled.get().getReason(), "Unschedulable"), unscheduled.get().getMessage()));
    }
    List<ContainerStatus> containers = pod.getStatus().getContainerStatuses() == null ? List.of()
        : pod.getStatus().getContainerStatuses();
    boolean starting = containers.isEmpty();
    for (ContainerStatus container : containers) {
      ContainerStateWaiting waiting = container.getState() == null ? null : container.getState().getWaiting();
      if (waiting == null || waiting.getReason() == null) {
        continue;
      }
      if (STARTING.contains(waiting.getReason())) {
        starting = true;
      } else if ("CrashLoopBackOff".equals(waiting.getReason())) {
        return Optional.of(crashLoop(container));
      } else {
        return Optional.of(withMessage(waiting.getReason(), waiting.getMessage()));
      }
    }
    if (starting) {
      return volumeWarning.apply(pod.getMetadata().getName())
          .map(e -> withMessage(e.getReason(), e.getMessage()));
    }
    return containers.stream().anyMatch(c -> failsReadiness(c, now)) ? Optional.of(NOT_READY) : Optional.empty();
  }

  /**
   * Started (its startup probe passed) and running for {@link #READINESS_GRACE} without being ready:
   * the runtime is up but its integration is not, the usual way a bad version fails (a route Camel
   * cannot start). Without it the status said nothing until the rollout's deadline, ten minutes on.
   * The probe's answer is the integration's own text, so the reason stays this fixed one.
   */
  private static boolean failsReadiness(ContainerStatus container, Instant now) {
    if (!Boolean.TRUE.equals(container.getStarted()) || Boolean.TRUE.equals(container.getReady())
        || container.getState() == null || container.getState().getRunning() == null) {
      return false;
    }
    try {
      Instant since = Instant.parse(container.getState().getRunning().getStartedAt());
      return !since.plus(READINESS_GRACE).isAfter(now);
    } catch (RuntimeException unreadable) {
      return false;
    }
  }

  /** The kubelet's message for a crash loop names its back-off, which grows; how it ended does not. */
  private static String crashLoop(ContainerStatus container) {
    ContainerStateTerminated last = container.getLastState() == null ? null : container.getLastState().getTerminated();
    if (last == null) {
      return "CrashLoopBackOff";
    }
    return "CrashLoopBackOff: the container last ended " + or(last.getReason(), "with an error")
        + (last.getExitCode() == null ? "" : " (exit code " + last.getExitCode() + ")");
  }

  private static Optional<String> deploymentCondition(Deployment deployment) {
    List<DeploymentCondition> conditions = deployment.getStatus() == null || deployment.getStatus().getConditions() == null
        ? List.of() : deployment.getStatus().getConditions();
    // a quota or admission refusing the pods; then the rollout's deadline passing
    for (DeploymentCondition c : conditions) {
      if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
        return Optional.of(withMessage(or(c.getReason(), "ReplicaFailure"), c.getMessage()));
      }
    }
    return conditions.stream()
        .filter(c -> "Progressing".equals(c.getType()) && "False".equals(c.getStatus()))
        .findFirst()
        .map(c -> withMessage(or(c.getReason(), "NotProgressing"), c.getMessage()));
  }

  /**
   * The Deployment controller's word that the Deployment is not Available ({@code
   * MinimumReplicasUnavailable: Deployment does not have minimum availability.}); for an integration
   * out of service whose pods say nothing, never while one starts (every new Deployment is unavailable).
   */
  static Optional<String> unavailable(Deployment deployment) {
    return deployment.getStatus() == null || deployment.getStatus().getConditions() == null ? Optional.empty()
        : deployment.getStatus().getConditions().stream()
            .filter(c -> "Available".equals(c.getType()) && "False".equals(c.getStatus()))
            .findFirst()
            .map(c -> clean(withMessage(or(c.getReason(), "Unavailable"), c.getMessage())));
  }

  private static boolean ready(Pod pod) {
    return conditions(pod).stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static List<PodCondition> conditions(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getConditions() == null ? List.of() : pod.getStatus().getConditions();
  }

  private static String withMessage(String reason, String message) {
    return message == null || message.isBlank() ? reason : reason + ": " + message;
  }

  private static String or(String value, String otherwise) {
    return value == null || value.isBlank() ? otherwise : value;
  }

  /**
   * {@code admission webhook "name" denied the request: <the webhook's own text>}, {@code
   * ValidatingAdmissionPolicy 'p' with binding 'b' denied request: <its messageExpression>}
   */
  private static final Pattern ADMISSION_DENIAL = Pattern.compile("(admission webhook \"[^\"]*\" denied the request"
      + "|ValidatingAdmissionPolicy '[^']*' with binding '[^']*' denied request):.*");
  private static final Pattern URL_USERINFO = Pattern.compile("(?i)\\b(https?://)[^/@\\s\"]*@");
  private static final Pattern URL_QUERY = Pattern.compile("(?i)(\\bhttps?://[^\\s\"?]*)\\?[^\\s\"]*");

  /**
   * One line, no control characters, at most {@link #MAX_CHARS}; a webhook's or an admission policy's
   * denial reduced to its name (its author's text may quote the pod it refuses, env values included), URLs
   * without userinfo or query (a registry's signed blob URL in a pull error).
   */
  static String clean(String text) {
    String line = text.replaceAll("\\p{Cntrl}+", " ").strip();
    line = ADMISSION_DENIAL.matcher(line).replaceAll("$1 (its text is in the Deployment's conditions)");
    line = URL_USERINFO.matcher(line).replaceAll("$1");
    line = URL_QUERY.matcher(line).replaceAll("$1?…");
    return line.length() <= MAX_CHARS ? line : line.substring(0, MAX_CHARS - 1) + "…";
  }
}
