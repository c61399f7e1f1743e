package dev.outpost.agent.targets;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Watches what the agent manages (Deployments, Services, PodDisruptionBudgets, ConfigMaps labelled {@code
 * managed-by: outpost-agent}) with informers, and asks for a resync whenever one is changed or
 * deleted by someone, so drift is corrected in seconds rather than at the next scheduled resync. The
 * agent's own updates ask for none ({@link WrittenVersions}), and an object another controller keeps
 * changing is put back after a growing wait ({@link DriftFights}). A watch that fails once started is
 * started again, for as long as the agent applies.
 */
public final class KubernetesDriftWatch implements DriftWatch {
  private static final Logger LOG = Logger.getLogger(KubernetesDriftWatch.class);
  private final KubernetesClient client;
  private final String namespace;
  private final Consumer<Duration> onDrift;
  private final WrittenVersions written;
  private final DriftFights fights;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  /** Asks for a pass at once for each change someone else makes, however often an object is changed. */
  public KubernetesDriftWatch(KubernetesClient client, String namespace, WrittenVersions written, Runnable onDrift) {
    this(client, namespace, written, DriftFights.FIRST_WAIT, wait -> onDrift.run());
  }

  /**
   * @param written the target's updates ({@link KubernetesTarget#writtenVersions}), which ask for no pass
   * @param longestWait the longest a change to an object another controller keeps changing waits
   *     before it is put back: the resync interval, whose pass puts it back all the same
   * @param onDrift asked for a pass after the given wait
   */
  public KubernetesDriftWatch(KubernetesClient client, String namespace, WrittenVersions written,
      Duration longestWait, Consumer<Duration> onDrift) {
    this.client = client;
    this.namespace = namespace;
    this.onDrift = onDrift;
    this.written = written;
    this.fights = new DriftFights(longestWait, client);
  }

  /**
   * Starts the four informers, all or none: when one cannot start (the API server down, a verb
   * missing from the Role) those already started are closed and the failure is thrown, so that a
   * later call starts them all. Before, a partial start stayed partial for good, since a second
   * call saw informers and returned.
   */
  @Override
  public synchronized void start() {
    if (!informers.isEmpty()) {
      return;
    }
    List<SharedIndexInformer<?>> started = new ArrayList<>();
    try {
      started.add(inform("Deployments", client.apps().deployments().inNamespace(namespace)
          .withLabel(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)));
      started.add(inform("Services", client.services().inNamespace(namespace)
          .withLabel(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)));
      started.add(inform("ConfigMaps", client.configMaps().inNamespace(namespace)
          .withLabel(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)));
      started.add(inform("PodDisruptionBudgets", client.policy().v1().podDisruptionBudget().inNamespace(namespace)
          .withLabel(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT)));
    } catch (RuntimeException e) {
      started.forEach(SharedIndexInformer::close);
      throw e;
    }
    informers.addAll(started);
  }

  /**
   * One informer, started (its first list done). Once started, it lists and watches again after any
   * failure: fabric8's default gives an informer up for good on a watch error other than 410 Gone
   * (an event it cannot read, a broken stream), and drift then waited for the scheduled resync for as
   * long as the agent ran. A first list that fails still fails the start, which the caller retries.
   */
  private <T extends HasMetadata> SharedIndexInformer<T> inform(String kind, Informable<T> objects) {
    SharedIndexInformer<T> informer = objects.runnableInformer(0);
    informer.addEventHandler(handler());
    informer.exceptionHandler((running, failure) -> {
      if (running) {
        // the client's own warning follows, with the whole failure (an unreadable event quotes it)
        LOG.warnf("the watch of the agent's %s failed: watching again; meanwhile drift is corrected at the"
            + " scheduled resync", kind);
      }
      return running;
    });
    try {
      informer.run();
    } catch (RuntimeException e) {
      informer.close();
      throw e;
    }
    return informer;
  }


  private <T extends HasMetadata> ResourceEventHandler<T> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        // additions are the agent's own writes or the initial listing: nothing drifted
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        // a label is metadata, outside the generation: the agent's status and route hold find
        // an integration's objects by their labels
        if (sameGeneration(oldObj, newObj)
            && Objects.equals(oldObj.getMetadata().getLabels(), newObj.getMetadata().getLabels())) {
          return;
        }
        Optional<WrittenVersions.AgentUpdate> own = written.byTheAgent(oldObj, newObj);
        if (own.isEmpty()) {
          onDrift.accept(fights.changed(newObj));
        } else if (own.get().correction()) {
          fights.putBack(newObj); // only a put-back counts in a fight, not a new revision's write
        }
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        onDrift.accept(DriftFights.FIRST_WAIT);
      }
    };
  }

  /** Status-only updates (a Deployment's ready count) are not drift. */
  private static boolean sameGeneration(HasMetadata a, HasMetadata b) {
    Long ga = a.getMetadata().getGeneration();
    Long gb = b.getMetadata().getGeneration();
    if (ga != null && gb != null) {
      return ga.equals(gb);
    }
    return a.getMetadata().getResourceVersion() != null
        && a.getMetadata().getResourceVersion().equals(b.getMetadata().getResourceVersion());
  }

  @Override
  public synchronized void stop() {
    informers.forEach(SharedIndexInformer::close);
    informers.clear();
  }
}
