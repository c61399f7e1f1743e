package dev.outpost.runtime.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.runtime.config.IntegrationProperties;
import dev.outpost.runtime.config.PlaceholderResolver;
import dev.outpost.runtime.config.RuntimeConfig;
import dev.outpost.runtime.dispatch.AnsweredExchanges;
import dev.outpost.runtime.dispatch.CamelStopBudget;
import dev.outpost.runtime.dispatch.HttpDispatcher;
import dev.outpost.runtime.dispatch.HttpEndpoint;
import dev.outpost.runtime.dispatch.ShutdownDrain;
import dev.outpost.runtime.secret.SecretRedaction;
import dev.outpost.runtime.status.IntegrationStatus;
import dev.outpost.runtime.status.RouteStates;
import dev.outpost.runtime.status.StatusRegistry;
import dev.outpost.runtime.telemetry.IntegrationIdentities;
import dev.outpost.runtime.telemetry.IntegrationLogContext;
import io.micrometer.core.instrument.MeterRegistry;
import dev.outpost.spec.model.Integration;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.service.ServiceHelper;
import org.jboss.logging.Logger;

/**
 * Deploys, upgrades and removes integrations in the running {@code CamelContext}.
 *
 * <p>A deployment loads the new version next to the old one (its own route ids, internal HTTP
 * prefix and local endpoint names, see {@link RouteNamespacer}), switches the public paths to it in
 * one step, waits until the old version has no request in flight, and only then removes the old
 * routes: an upgrade fails no request. A version that fails to load is removed completely and
 * reported {@code Failed}; whatever ran before (the old version, other integrations) keeps running.
 *
 * <p>Loading and switching are serialised: one at a time ({@link DeployLock}). Waiting for an old
 * version to drain is not: a request stuck in one integration holds up that integration's upgrade
 * for at most {@code drain-timeout}, never the deployments of the others. Removing a version's
 * routes lets the others in between its steps. A load that blocks (a bean waiting while Camel
 * creates it) holds the others up for as long as it blocks: Camel cannot interrupt it safely, so
 * the deployments waiting say in their status which integration they wait for.
 */
@ApplicationScoped
public class IntegrationDeployer implements RouteStates {

  private static final Logger LOG = Logger.getLogger(IntegrationDeployer.class);
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,57}[a-z0-9])?");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._-]{1,63}");
  /** How long one step of removing a version's routes holds the lock: deployments waiting get in between. */
  private static final Duration REMOVAL_STEP = Duration.ofMillis(200);

  private final CamelContext camel;
  private final HttpDispatcher dispatcher;
  private final PlaceholderResolver placeholders;
  private final IntegrationProperties properties = new IntegrationProperties();
  private final StatusRegistry statuses;
  private final RuntimeConfig config;
  private final MeterRegistry meters;
  private final Map<String, Deployment> deployments = new ConcurrentHashMap<>();
  private final ExecutorService retiring = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(IntegrationLogContext.withoutInherited(task), "outpost-retire");
    thread.setDaemon(true);
    return thread;
  });
  private final DeployLock lock = new DeployLock();
  /** Written under {@link #lock}. */
  private long generation;
  /** How many integrations have been removed since start, their beans released; written under {@link #lock}. */
  private volatile long removals;

  IntegrationDeployer(CamelContext camel, HttpDispatcher dispatcher, PlaceholderResolver placeholders,
      StatusRegistry statuses, RuntimeConfig config, MeterRegistry meters, ShutdownDrain drain) {
    this.camel = camel;
    this.dispatcher = dispatcher;
    this.placeholders = placeholders;
    this.statuses = statuses;
    this.config = config;
    this.meters = meters;
    CamelHooks.install(camel, properties, meters, dispatcher.runningExchanges(),
        new CamelStopBudget(camel, config.stopWithin(), drain::sinceSignal));
  }

  /**
   * What {@link #install} did: the status; the version it replaced, still to be retired; what runs
   * under the name once it is done and {@link #removals} then (both read under the lock); and when it
   * failed, the integration whose path it wanted (null for another reason), and what of the failed
   * load is still to be removed.
   */
  private record Installed(IntegrationStatus status, Deployment replaced, Integration runningAfter,
      long removals, Deployment pathHolder, Runnable leftovers) {

    static Installed ready(IntegrationStatus status, Deployment replaced, Integration running, long removals) {
      return new Installed(status, replaced, running, removals, null, null);
    }

    static Installed failed(IntegrationStatus status, Deployment running, long removals, Deployment pathHolder,
        Runnable leftovers) {
      return new Installed(status, null, running == null ? null : running.integration(), removals, pathHolder, leftovers);
    }
  }

  /**
   * Deploys {@code integration}, replacing the running version of the same name if any, and returns
   * once the replaced version is retired.
   *
   * @return the resulting status: {@code Ready}, or {@code Failed} with the reason (the previous
   *     version, if any, then still runs)
   */
  public IntegrationStatus deploy(Integration integration) {
    return installThenRetire(integration, null, null, why -> reportWaiting(integration, why), Runnable::run).status();
  }

  /**
   * Deploys {@code integration} like {@link #deploy} but returns as soon as it serves, retiring
   * the replaced version in the background: for a source that applies many integrations in turn
   * and must not wait for one to drain before the next.
   */
  public IntegrationStatus deployWithoutWaiting(Integration integration) {
    return installThenRetire(integration, null, null, why -> reportWaiting(integration, why), this::retireInBackground)
        .status();
  }

  /**
   * What a source's deploy came to: its status; the integration that runs under its name right
   * after it (null for none) and {@link #removals} then, read before any other deploy or removal
   * could change them; and when it failed because another integration serves one of its paths, that
   * one as it ran then (null otherwise): the failure may go once that changes, and one for another
   * reason once any integration is removed (a bean of it may have held a port this one's wants).
   */
  public record Attempt(IntegrationStatus status, Integration runningAfter, long removals, Deployment pathHolder) {}

  /**
   * {@link #deployWithoutWaiting}, telling what runs under the name once it is done, read under the
   * install's lock: read after it, an admin API deploy in between was taken for what ran before a
   * failed file. Each status it reports while it waits for another deployment goes to {@code
   * whileWaiting} too, so that the source can tell which of its files that status is about.
   */
  public Attempt attemptWithoutWaiting(Integration integration, Consumer<IntegrationStatus> whileWaiting) {
    Installed installed = installThenRetire(integration, null, null,
        why -> whileWaiting.accept(reportWaiting(integration, why)), this::retireInBackground);
    return new Attempt(installed.status(), installed.runningAfter(), installed.removals(), installed.pathHolder());
  }

  /**
   * Installs {@code integration} (only while {@code replacing} runs, when given), telling {@code
   * waiting} what it waits for while another deployment holds the deployer, removes what a failed
   * load left, and retires the version it replaced; what this thread logs meanwhile is filed under
   * the integration. Null when {@code replacing} no longer runs.
   */
  private Installed installThenRetire(Integration integration, Deployment replacing, String keptReadyBecause,
      Consumer<String> waiting, Executor retirement) {
    try (IntegrationLogContext logged = IntegrationLogContext.of(IntegrationIdentities.Identity.of(integration))) {
      Installed installed = install(integration, replacing, keptReadyBecause, waiting);
      if (installed == null) {
        return null;
      }
      if (installed.leftovers() != null) {
        installed.leftovers().run();
      }
      if (installed.replaced() != null) {
        retirement.execute(() -> retire(installed.replaced(), false));
      }
      return installed;
    }
  }

  /**
   * Deploys {@code running}'s integration again (its secrets changed), if it is still what runs
   * under its name: a version the admin API deployed or a removal since is left as it is. One that
   * cannot be deployed leaves {@code running} serving, reported Ready with why in its message.
   *
   * @return the resulting status, empty when {@code running} no longer runs
   */
  public Optional<IntegrationStatus> deployAgain(Deployment running, String whyOnFailure) {
    // a version that serves says nothing while it waits
    return Optional.ofNullable(installThenRetire(running.integration(), running, whyOnFailure, why -> { },
        this::retireInBackground)).map(Installed::status);
  }

  /**
   * Reports {@code running} Ready with no message again when its status is still the message of a
   * failed redeploy beginning {@code whyOnFailure}: it runs with what it read, and the reason given
   * no longer holds (the secret came back as it was).
   */
  public void withdrawFailureMessage(Deployment running, String whyOnFailure) {
    try (DeployLock.Held held = lock.hold()) {
      if (deployments.get(running.name()) != running) {
        return;
      }
      statuses.get(running.name())
          .filter(s -> IntegrationStatus.READY.equals(s.phase()) && s.message() != null && s.message().startsWith(whyOnFailure))
          .ifPresent(s -> report(running.integration(), IntegrationStatus.READY, null));
    }
  }

  /**
   * Runs a retirement on {@link #retiring}; once stopping, not at all: Camel stops every route anyway,
   * and the refusal failed a deploy that had already switched in its new version with a 500.
   */
  private void retireInBackground(Runnable retirement) {
    try {
      retiring.execute(retirement);
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      LOG.debugf("not retiring in the background: the runtime stops");
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    // Camel stops every route anyway; a retirement still draining has nothing left to do
    retiring.shutdownNow();
  }

  /**
   * Loads {@code integration} and switches its paths to it; the replaced version still runs. With
   * {@code replacing}, only while that runs (null otherwise), and a failure leaves it reported Ready
   * with {@code keptReadyBecause} before the reason.
   */
  private Installed install(Integration integration, Deployment replacing, String keptReadyBecause,
      Consumer<String> waiting) {
    try (DeployLock.Held held = lock.hold(integration.name(), "loading", waiting)) {
      if (replacing != null && deployments.get(replacing.name()) != replacing) {
        return null;
      }
      return loadAndSwitch(integration, keptReadyBecause);
    }
  }

  private Installed loadAndSwitch(Integration integration, String keptReadyBecause) {
    DeclaredBeans beansBefore;
    try {
      checkFields(integration);
      List<JsonNode> beans = DeclaredBeans.of(integration.source());
      SharedBeans.check(beans, camel);
      beansBefore = DeclaredBeans.before(beans, camel);
    } catch (DeployException e) {
      return refused(integration, e, keptReadyBecause);
    }
    report(integration, IntegrationStatus.DEPLOYING, null);
    long gen = ++generation;
    String key = integration.name() + ".g" + gen;
    String prefix = HttpDispatcher.prefixOf(integration.name(), gen);
    PlaceholderResolver.Resolved resolved;
    BoundBeans.Before boundBefore;
    try {
      resolved = placeholders.resolve(integration, key);
      // by the names as Camel binds them: those of the source it loads
      boundBefore = BoundBeans.before(DeclaredBeans.of(resolved.source()), camel);
    } catch (DeployException e) {
      return refused(integration, e, keptReadyBecause);
    }
    properties.register(key, resolved.properties());
    IntegrationIdentities.register(key, integration);
    SecretRedaction.add(key, resolved.secretValues());
    Set<String> sharedBefore = SharedBeans.sharedInRegistry(camel);
    RouteNamespacer namespacer = new RouteNamespacer(key, prefix, n -> {
      checkConflicts(integration.name(), n);
      SharedBeans.checkRegistered(camel, sharedBefore);
    });
    Set<String> before = routeIds();
    long start = System.nanoTime();
    SimpleExpressionCache.clear(camel);
    try {
      load(integration.name(), resolved.source(), namespacer);
    } catch (Exception | StackOverflowError | LinkageError e) {
      // also the Errors an integration's source or beans can cause: cleaned up like any failure
      Set<String> leftovers = new HashSet<>(routeIds());
      leftovers.removeAll(before);
      leftovers.addAll(namespacer.routeIds());
      // what of it started (a timer of a route created before the one that failed) starts nothing
      // more from here on: its routes are removed once the deployments waiting for the lock have had
      // their turn, and a timer fired all that time, with the beans put back below
      suspendConsumers(integration.name(), leftovers, route -> true);
      BoundBeans failedBeans = boundBefore.after(camel);
      beansBefore.restore(camel);
      String message = DeployErrors.describe(e, integration.source(), camel, key, prefix, resolved.secretValues());
      LOG.warnf("integration %s version %s failed to deploy: %s", integration.name(), integration.version(), message);
      Deployment pathHolder = PathConflict.in(e).map(conflict -> deployments.get(conflict.owner())).orElse(null);
      // removed after the lock is let go, in steps, as a retired version is; an exchange still under
      // way is stopped at once: nothing was ever routed to a failed load (a timer of its first route,
      // under way, held every other deploy up to the drain timeout)
      RouteRemoval removal = new RouteRemoval(camel, leftovers, key, prefix);
      Runnable removeLeftovers = () -> removeInSteps(integration.name(), removal, () -> Duration.ZERO, () -> {
        VersionMeters.remove(meters, key, prefix);
        removeVersionMetersUnlessRunning(integration.name(), integration.version());
        properties.unregister(key);
        // retired, not forgotten: an exchange of a route that did start may outlive the forced stop
        SecretRedaction.retire(key);
        // what restore unbound without destroying (a bean with no destroy method) kept its port
        failedBeans.release(camel, integration.name(), liveBeans());
      });
      return Installed.failed(reportFailed(integration, message, keptReadyBecause), deployments.get(integration.name()),
          removals, pathHolder, removeLeftovers);
    }
    Deployment next = new Deployment(integration, key, prefix, Set.copyOf(namespacer.routeIds()),
        namespacer.endpoints(), resolved.secretsRead(), boundBefore.after(camel));
    dispatcher.publish(integration.name(), prefix, next.endpoints());
    Deployment previous = deployments.put(integration.name(), next);
    LOG.infof("integration %s version %s serves %d route(s) after %d ms", integration.name(),
        integration.version(), next.routeIds().size(), (System.nanoTime() - start) / 1_000_000);
    return Installed.ready(report(integration, IntegrationStatus.READY, null), previous, integration, removals);
  }

  /**
   * Reports {@code integration}, which the caller will deploy once another's load or removal lets
   * it, {@link #waiting}.
   *
   * @return the status reported
   */
  private IntegrationStatus reportWaiting(Integration integration, String why) {
    IntegrationStatus status = waiting(integration, why);
    statuses.put(status);
    return status;
  }

  /**
   * The status of {@code integration} while it waits for {@code why}: {@code Deploying}, "waiting:
   * integration x has been loading for 40 s".
   */
  public static IntegrationStatus waiting(Integration integration, String why) {
    return new IntegrationStatus(integration.name(), integration.project(), integration.version(),
        IntegrationStatus.DEPLOYING, "waiting: " + why);
  }

  /**
   * What has held the deployments up for longer than a moment, if anything: "integration x has been
   * loading for 40 s".
   */
  public Optional<String> heldUpBy() {
    return lock.heldUpBy();
  }

  /**
   * Removes the integration called {@code name}: its paths stop being served at once, its routes
   * are removed once its in-flight requests are done, before this returns.
   *
   * @return whether it was running
   */
  public boolean remove(String name) {
    Deployment current = unpublish(name);
    if (current == null) {
      return false;
    }
    retire(current, true);
    return true;
  }

  /**
   * A source's version of {@code name} is gone (its file removed): removed like {@link #remove}
   * (its routes drained and removed in the background) while {@code own} is what runs, else left
   * running. Decided under the lock an install holds, so a version the admin API installs at that
   * moment is not taken for the source's and removed once installed, nor its status dropped; the
   * version left running is reported Ready again.
   *
   * @return what another source deployed under the name since and runs on, if anything
   */
  public Optional<Deployment> removeIfOwn(String name, Integration own) {
    Deployment gone;
    try (DeployLock.Held held = lock.hold()) {
      Deployment running = deployments.get(name);
      if (running == null) {
        statuses.remove(name);
        return Optional.empty();
      }
      if (!running.integration().equals(own)) {
        // said here, under the lock: written after it, an admin PUT or DELETE that came between was
        // overwritten with this version's Ready for good
        statuses.put(new IntegrationStatus(name, running.integration().project(), running.integration().version(),
            IntegrationStatus.READY, null));
        return Optional.of(running);
      }
      gone = unpublish(name);
    }
    retireInBackground(() -> retire(gone, true));
    return Optional.empty();
  }

  private Deployment unpublish(String name) {
    try (DeployLock.Held held = lock.hold()) {
      Deployment current = deployments.remove(name);
      statuses.remove(name);
      if (current != null) {
        dispatcher.unpublish(name);
        LOG.infof("integration %s removed", name);
      }
      return current;
    }
  }

  /**
   * How many integrations have been removed since start, counted once their routes and beans are
   * gone: a deployment that failed for a reason other than a path may succeed after one is, since
   * what it wanted may have been that one's (a port a bean of it listened on).
   */
  public long removals() {
    return removals;
  }

  @Override
  public Optional<String> notRunning(String name, String version) {
    Deployment running = deployments.get(name);
    if (running == null || !running.integration().version().equals(version) || camel.isStopping()) {
      return Optional.empty();
    }
    for (String id : running.routeIds()) {
      Route route = camel.getRoute(id);
      if (route == null || Boolean.FALSE.equals(route.isAutoStartup())) {
        continue; // a route its author starts later is not a failure
      }
      ServiceStatus status = camel.getRouteController().getRouteStatus(id);
      if (status != null && !status.isStarted() && !status.isStarting()) {
        String shown = id.startsWith(running.key() + ".") ? id.substring(running.key().length() + 1) : id;
        return Optional.of("route " + shown + " is " + status.name().toLowerCase(Locale.ROOT)
            + " since the integration started");
      }
    }
    return Optional.empty();
  }

  /** The running version of {@code name}, if any. */
  public Optional<Deployment> deployment(String name) {
    return Optional.ofNullable(deployments.get(name));
  }

  /** Every running integration version. */
  public Map<String, Deployment> deployments() {
    return Map.copyOf(deployments);
  }

  private void load(String name, String source, RouteNamespacer namespacer) throws Exception {
    Resource resource = ResourceHelper.fromString(name + ".camel.yaml", source);
    var builders = PluginHelper.getRoutesLoader(camel).findRoutesBuilders(resource);
    ModelCamelContext model = (ModelCamelContext) camel;
    List<RouteConfigurationDefinition> configurationsBefore = List.copyOf(model.getRouteConfigurationDefinitions());
    try {
      for (RoutesBuilder builder : builders) {
        if (!(builder instanceof RouteBuilder routeBuilder)) {
          throw new DeployException("unsupported routes builder " + builder.getClass().getSimpleName());
        }
        routeBuilder.addLifecycleInterceptor(namespacer);
        camel.addRoutes(routeBuilder);
      }
    } finally {
      // whatever spelling passed ContextWideElements: what Camel registered would reach the
      // routes of integrations deployed later
      if (removeAddedConfigurations(model, configurationsBefore)) {
        throw new DeployException(ContextWideElements.routeConfigurationMessage());
      }
    }
    if (namespacer.routeIds().isEmpty()) {
      throw new DeployException("the source defines no route");
    }
  }

  private static boolean removeAddedConfigurations(ModelCamelContext model, List<RouteConfigurationDefinition> before)
      throws Exception {
    List<RouteConfigurationDefinition> added = model.getRouteConfigurationDefinitions().stream()
        .filter(definition -> before.stream().noneMatch(b -> b == definition))
        .toList();
    for (RouteConfigurationDefinition definition : added) {
      model.removeRouteConfiguration(definition);
    }
    return !added.isEmpty();
  }

  /**
   * Waits, without holding the deployment lock, until {@code old} has no request or exchange in
   * flight that a client still waits for, or {@code drain-timeout} has passed, then removes it.
   * Camel holds its own context lock while it stops a route gracefully, so the stop only gets what
   * is left of the timeout, and nothing when all that is left are exchanges whose clients were
   * answered already (a request timeout): Camel would wait for those too. A version {@code removed}
   * (not replaced) counts in {@link #removals} once its beans are released, not before: a failed
   * deployment tried again then finds the port a bean of it held free.
   */
  private void retire(Deployment old, boolean removed) {
    try (IntegrationLogContext logged = IntegrationLogContext.of(IntegrationIdentities.Identity.of(old.integration()))) {
      long deadline = System.nanoTime() + config.drainTimeout().toNanos();
      boolean drained = false;
      quietTriggers(old);
      try {
        drained = dispatcher.awaitDrained(old.prefix(), config.drainTimeout()) && awaitExchangesDone(old, deadline);
        if (!drained) {
          LOG.warnf("integration %s: requests still in flight after %s, stopping its old version anyway",
              old.name(), config.drainTimeout());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      boolean answered = drained;
      removeInSteps(old.name(), new RouteRemoval(camel, old.routeIds(), old.key(), old.prefix()),
          () -> answered && anyInFlight(old) ? Duration.ZERO : Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0)),
          () -> {
            dispatcher.abandon(old.prefix());
            VersionMeters.remove(meters, old.key(), old.prefix());
            removeVersionMetersUnlessRunning(old.name(), old.integration().version());
            properties.unregister(old.key());
            SecretRedaction.retire(old.key());
            // its routes are gone: its beans go too, but those a version still running holds
            old.beans().release(camel, old.name(), liveBeans());
            if (removed) {
              removals++;
            }
          });
    }
  }

  /**
   * Removes a version's routes in steps of {@link #REMOVAL_STEP}, each holding the lock, which is
   * fair: the deployments waiting for it get in between (Camel takes about as long to remove a route
   * as the context has routes, and a version of 3,001 held every other deploy for 43 s). Each route
   * gets {@code timeout}'s time to stop; the last step removes what the routes leave and runs
   * {@code afterwards}.
   */
  private void removeInSteps(String name, RouteRemoval removal, Supplier<Duration> timeout, Runnable afterwards) {
    boolean more = true;
    while (more) {
      try (DeployLock.Held held = lock.hold(name, "removing a version's routes", why -> { })) {
        more = removal.removeRoutes(timeout.get(), REMOVAL_STEP);
        if (!more) {
          removal.finish();
          afterwards.run();
        }
      }
    }
  }

  /**
   * Stops {@code old}'s own triggers (timers, pollers: every consumer but HTTP, which the dispatcher
   * no longer sends it, and its internal direct and seda routes, which its exchanges in flight may
   * still call) from starting exchanges. The new version runs its own already, so both polled during
   * the drain, and a trigger whose exchange lasts its period (a fixed-rate timer) was never idle:
   * the drain always waited its whole timeout, then stopped an exchange midway.
   */
  private void quietTriggers(Deployment old) {
    suspendConsumers(old.name(), old.routeIds(), route -> {
      String uri = route.getEndpoint().getEndpointUri();
      return !RouteRemoval.isInternal(camel, route.getRouteId()) && !uri.startsWith("platform-http:")
          && !uri.startsWith("rest:");
    });
  }

  /** Suspends the consumers of the routes {@code which} accepts among {@code routeIds} (stops those that cannot be). */
  private void suspendConsumers(String name, Set<String> routeIds, Predicate<Route> which) {
    for (String id : routeIds) {
      Route route = camel.getRoute(id);
      if (route == null || !which.test(route)) {
        continue;
      }
      try {
        ServiceHelper.suspendService(route.getConsumer());
      } catch (RuntimeException e) {
        LOG.debugf("route %s of integration %s kept its trigger: %s", id, name, e.getMessage());
      }
    }
  }

  /** The beans of the versions running now. */
  private List<BoundBeans> liveBeans() {
    return deployments.values().stream().map(Deployment::beans).toList();
  }

  /** Every version name would otherwise add its series for good; one still running keeps them. */
  private void removeVersionMetersUnlessRunning(String name, String version) {
    Deployment running = deployments.get(name);
    if (running == null || !running.integration().version().equals(version)) {
      VersionMeters.removeVersion(meters, name, version);
    }
  }

  /**
   * Whether the exchanges of {@code old}'s routes (timers, queues, HTTP) all end before
   * {@code deadline}, those whose HTTP clients were answered already aside.
   */
  private boolean awaitExchangesDone(Deployment old, long deadline) throws InterruptedException {
    while (anyInFlight(old) && camel.getInflightRepository().browse().stream()
        .filter(e -> old.routeIds().contains(e.getFromRouteId()))
        .anyMatch(e -> !AnsweredExchanges.answered(e.getExchange()))) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  private boolean anyInFlight(Deployment old) {
    var inflight = camel.getInflightRepository();
    return old.routeIds().stream().anyMatch(id -> inflight.size(id) > 0);
  }

  /**
   * HTTP paths are the runtime's, shared by every integration; route ids are each integration's own
   * (Camel's carry the version's key), so another may use the same.
   */
  private void checkConflicts(String name, RouteNamespacer namespaced) throws DeployException {
    for (HttpEndpoint endpoint : namespaced.endpoints()) {
      String owner = dispatcher.ownerConflictingWith(endpoint, name);
      if (owner != null) {
        throw new PathConflict("HTTP path " + endpoint.path()
            + (endpoint.methods().isEmpty() ? "" : " " + endpoint.methods())
            + " is already served by integration '" + owner + "'", owner);
      }
    }
  }

  private static void checkFields(Integration integration) throws DeployException {
    if (integration.name() == null || !NAME.matcher(integration.name()).matches()) {
      throw new DeployException("name must be a DNS-1123 label of at most 59 characters");
    }
    if (integration.project() == null || !NAME.matcher(integration.project()).matches()) {
      throw new DeployException("project must be a DNS-1123 label");
    }
    if (integration.version() == null || !VERSION.matcher(integration.version()).matches()) {
      throw new DeployException("version must match [A-Za-z0-9._-]{1,63}");
    }
    if (integration.source() == null || integration.source().isBlank()) {
      throw new DeployException("source must contain Camel YAML DSL routes");
    }
    ContextWideElements.check(integration.source());
  }

  private Set<String> routeIds() {
    return camel.getRoutes().stream().map(Route::getRouteId).collect(Collectors.toSet());
  }

  /**
   * Failed before Camel saw it (a field, a shared bean, a secret or config key missing): logged as a
   * failed load is, not only told in its status, which in Kubernetes no one reads but the agent.
   */
  private Installed refused(Integration integration, DeployException e, String keptReadyBecause) {
    LOG.warnf("integration %s version %s failed to deploy: %s", integration.name(), integration.version(), e.getMessage());
    return Installed.failed(reportFailed(integration, e.getMessage(), keptReadyBecause),
        deployments.get(integration.name()), removals, null, null);
  }

  /**
   * {@code Failed} for {@code why}; or, for a version deployed again that keeps serving, {@code
   * Ready} with {@code keptReadyBecause} and {@code why} (its message says already that it runs on).
   */
  private IntegrationStatus reportFailed(Integration integration, String why, String keptReadyBecause) {
    return keptReadyBecause == null ? report(integration, IntegrationStatus.FAILED, why)
        : report(integration, IntegrationStatus.READY, keptReadyBecause + why);
  }

  /**
   * Reports {@code name} {@code Failed} for {@code why} when what was given under that name holds no
   * integration to deploy (a file truncated or not JSON): nothing was deployed, so what ran under the
   * name serves on, and the status says which version, as a failed deploy's does.
   */
  public IntegrationStatus reportUndeployable(String name, String why) {
    try (DeployLock.Held held = lock.hold()) {
      return report(name, null, null, IntegrationStatus.FAILED, why);
    }
  }

  private IntegrationStatus report(Integration integration, String phase, String message) {
    return report(integration.name(), integration.project(), integration.version(), phase, message);
  }

  private IntegrationStatus report(String integrationName, String project, String version, String phase,
      String message) {
    String name = integrationName == null ? "" : integrationName;
    Deployment serving = IntegrationStatus.FAILED.equals(phase) ? deployments.get(name) : null;
    String servingVersion = null;
    // a failed deploy changes nothing that runs: what ran under the name serves on, whatever its
    // version (read alone, "2 Failed", or "1 Failed" after a changed source kept its version string,
    // told the operator the integration was down)
    if (serving != null) {
      servingVersion = serving.integration().version();
      message = message + IntegrationStatus.servingSuffix(version, servingVersion);
    }
    IntegrationStatus status = new IntegrationStatus(name, project, version, phase, message, servingVersion);
    statuses.put(status);
    return status;
  }
}
